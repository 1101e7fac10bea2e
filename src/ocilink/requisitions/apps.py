from django.apps import AppConfig


class RequisitionsConfig(AppConfig):
    name = "ocilink.requisitions"
    label = "requisitions"
