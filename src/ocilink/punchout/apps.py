from django.apps import AppConfig
from django.conf import settings


class PunchoutConfig(AppConfig):
    name = "ocilink.punchout"
    label = "punchout"

    def ready(self) -> None:
        from ocilink.core.periodic import register_periodic_job

        from .retention import raw_purge_periodic

        # Every worker empties the raw returns past their retention now and then (bounded batches).
        register_periodic_job(
            "punchout-retention", raw_purge_periodic, interval=lambda: float(settings.PUNCHOUT_PURGE_INTERVAL_SECONDS)
        )
