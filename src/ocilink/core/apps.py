from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ocilink.core"
    label = "core"

    def ready(self) -> None:
        from .periodic import register_periodic_job
        from .raw_documents import ORPHAN_SWEEP_INTERVAL_SECONDS, sweep_orphans_periodic

        # Every worker deletes now and then the raw documents that no row names (a transaction that wrote one
        # and then rolled back, a process killed in between); the apps register their kinds.
        register_periodic_job(
            "raw-documents-orphans", sweep_orphans_periodic, interval=lambda: float(ORPHAN_SWEEP_INTERVAL_SECONDS)
        )
