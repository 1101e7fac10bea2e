from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "ocilink.orders"
    label = "orders"
