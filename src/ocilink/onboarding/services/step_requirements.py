"""What must be true before a step can be marked done: the login details entered, the connection active, the first
order delivered to the supplier, a note saying what happened."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ocilink.onboarding.exceptions import OnboardingError
from ocilink.onboarding.models import ConnectionRequest, RequestStep
from ocilink.onboarding.plans import Requirement
from ocilink.onboarding.selectors import first_purchase_order_for, has_credentials
from ocilink.orders.states import PurchaseOrderStatus


def _check_requirements(*, request: ConnectionRequest, step: RequestStep, note: str) -> dict[str, Any]:
    """Raise when a requirement of the step is not met; return what to record in the step's report."""
    report: dict[str, Any] = {}
    connection = request.connection
    for requirement in step.requires:
        if requirement == Requirement.CREDENTIALS and not has_credentials(connection=connection):
            raise OnboardingError(_("Enter the OCI login details first: this step is done when they are in ocilink."))
        if requirement == Requirement.ACTIVE_CONNECTION and not (connection is not None and connection.is_active):
            raise OnboardingError(
                _("Activate the connection first (“Activate the connection”): this step is done when it is active.")
            )
        if requirement == Requirement.ORDER_DELIVERED:
            order = first_purchase_order_for(connection=connection)
            if order is None:
                raise OnboardingError(_("No order has been placed through this connection yet."))
            if order.status not in (PurchaseOrderStatus.TO_BE_RECEIVED, PurchaseOrderStatus.RECEIVED):
                raise OnboardingError(
                    _(
                        "The first order %(number)s is “%(status)s”: it has not reached the supplier. Release or "
                        "retry it first, then record the supplier's confirmation."
                    )
                    % {"number": order.number, "status": order.get_status_display()}
                )
            report["first_order"] = {
                "purchase_order_id": order.pk,
                "number": order.number,
                "status": order.status,
                "supplier_confirmed": note,
            }
        if requirement == Requirement.NOTE and not note.strip():
            raise OnboardingError(_("Write in the note what happened (for example who at the supplier confirmed it)."))
    return report
