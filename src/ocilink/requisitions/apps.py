from django.apps import AppConfig


class RequisitionsConfig(AppConfig):
    name = "ocilink.requisitions"
    label = "requisitions"

    def ready(self) -> None:
        from ocilink.core.navigation import register_navigation_count

        from .selectors import approvals_waiting_query

        # "To approve (N)" on every page of a member.
        register_navigation_count("approvals_waiting", approvals_waiting_query)
