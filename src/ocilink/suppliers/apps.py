from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "ocilink.suppliers"
    label = "suppliers"
