from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "ocilink.connections"
    label = "connections"
