from django.apps import AppConfig


class PunchoutConfig(AppConfig):
    name = "ocilink.punchout"
    label = "punchout"
