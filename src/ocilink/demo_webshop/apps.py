from django.apps import AppConfig


class DemoWebshopConfig(AppConfig):
    name = "ocilink.demo_webshop"
    label = "demo_webshop"
