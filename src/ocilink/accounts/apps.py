from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ocilink.accounts"
    label = "accounts"
