from django.apps import AppConfig
from django.conf import settings


class PunchoutConfig(AppConfig):
    name = "ocilink.punchout"
    label = "punchout"

    def ready(self) -> None:
        from ocilink.core.metrics import register_collector
        from ocilink.core.periodic import register_periodic_job
        from ocilink.core.raw_documents import register_kind

        from .metrics import cart_return_figures
        from .models import CartReturn
        from .retention import raw_purge_periodic
        from .services import CART_RETURNS

        # Every worker empties the raw returns past their retention now and then (bounded batches).
        register_periodic_job(
            "punchout-retention", raw_purge_periodic, interval=lambda: float(settings.PUNCHOUT_PURGE_INTERVAL_SECONDS)
        )
        # The raw bodies are files in the storage of raw documents: deleted with their rows, swept when orphaned.
        register_kind(CART_RETURNS, CartReturn, "body")
        # /metrics (core) reads the cart returns by result through this.
        register_collector("cart_returns", cart_return_figures)
