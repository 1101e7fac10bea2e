from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ocilink.core"
    label = "core"

    def ready(self) -> None:
        from .health import register_check
        from .periodic import register_periodic_job
        from .raw_documents import ORPHAN_SWEEP_INTERVAL_SECONDS, readiness_check, sweep_orphans_periodic

        # /readyz: a cart return cannot be kept (nor imported) while the folder for raw documents cannot be written.
        register_check("raw_documents", readiness_check)
        # Every worker deletes now and then the raw documents that no row names (a transaction that wrote one
        # and then rolled back, a process killed in between); the apps register their kinds.
        register_periodic_job(
            "raw-documents-orphans", sweep_orphans_periodic, interval=lambda: float(ORPHAN_SWEEP_INTERVAL_SECONDS)
        )
