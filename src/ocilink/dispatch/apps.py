from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "ocilink.dispatch"
    label = "dispatch"
