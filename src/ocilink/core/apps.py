from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ocilink.core"
    label = "core"
