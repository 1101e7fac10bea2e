from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ocilink.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_expiry_set

        user_logged_in.connect(session_expiry_set, dispatch_uid="ocilink.accounts.session_expiry_set")
