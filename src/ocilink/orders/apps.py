from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "ocilink.orders"
    label = "orders"

    def ready(self) -> None:
        # Approval (requisitions, one layer down) hands what it approved to this app's placing service.
        from ocilink.requisitions.handoff import register_placer

        from .placing import order_request_place

        register_placer(order_request_place)
