from django.apps import AppConfig


class DispatchConfig(AppConfig):
    """The ordering methods (channels) and their transports. No models: the dispatch records belong to ``orders``."""

    name = "ocilink.dispatch"
    label = "dispatch"

    def ready(self) -> None:
        # Importing the channel modules registers them in ``ocilink.dispatch.registry``.
        from ocilink.dispatch.channels import cxml_https, cxml_sftp, email_pdf  # noqa: F401
