from django.apps import AppConfig
from django.db.models.signals import post_save


class OrdersConfig(AppConfig):
    name = "ocilink.orders"
    label = "orders"

    def ready(self) -> None:
        # Approval (requisitions, one layer down) hands what it approved to this app's placing service.
        from ocilink.core.health import register_check
        from ocilink.core.metrics import register_collector
        from ocilink.core.navigation import register_navigation_count
        from ocilink.core.raw_documents import register_kind
        from ocilink.requisitions.handoff import register_placer

        from . import tracing
        from .dispatches import DISPATCH_ATTEMPTS, DISPATCH_DOCUMENTS
        from .metrics import dispatch_figures, dispatch_queue_check
        from .models import Dispatch, DispatchAttempt, DispatchDocument
        from .placing import order_request_place
        from .selectors import orders_needing_attention_query

        register_placer(order_request_place)
        # /metrics and /readyz (core) read the dispatch queue through these.
        register_collector("dispatch", dispatch_figures)
        register_check("dispatch_queue", dispatch_queue_check)
        # "Orders (N need attention)" on every page of a member.
        register_navigation_count("orders_needing_attention", orders_needing_attention_query)
        # The documents and what each try sent and got back are files in the storage of raw documents: deleted with
        # their rows, swept when orphaned.
        register_kind(DISPATCH_DOCUMENTS, DispatchDocument, "content")
        register_kind(DISPATCH_ATTEMPTS, DispatchAttempt, "request", "response")
        # Log lines that follow an order to its dispatch and its tries (they change nothing).
        post_save.connect(tracing.dispatch_saved, sender=Dispatch, dispatch_uid="orders.trace.dispatch")
        post_save.connect(tracing.attempt_saved, sender=DispatchAttempt, dispatch_uid="orders.trace.attempt")
