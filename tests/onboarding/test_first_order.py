"""The first order: hold it for inspection, see it, and record that the supplier confirmed receiving it."""

from __future__ import annotations

import pytest

from ocilink.connections.services import oci_credential_set
from ocilink.onboarding.activation import connection_activate
from ocilink.onboarding.exceptions import OnboardingError
from ocilink.onboarding.services import connection_request_create, request_step_complete
from ocilink.onboarding.states import RequestStatus, StepStatus
from ocilink.orders.states import PurchaseOrderStatus

from .conftest import client_for, make_administrator, place_order


@pytest.fixture
def ready(live_org, entry, support):  # type: ignore[no-untyped-def]
    """A scenario-3 request whose steps before the first order are all done."""
    administrator = make_administrator(live_org)
    request = connection_request_create(organization=live_org, requested_by=administrator, catalogue_entry=entry)
    oci_credential_set(connection=request.connection, delivery_address=None, username="u", password="p")
    for key in ("webshop_talk", "request_credentials", "enter_credentials"):
        request_step_complete(step=request.steps.get(key=key), actor=administrator)
    connection_activate(connection=request.connection, actor=support)
    request_step_complete(step=request.steps.get(key="create_supplier"), actor=administrator)
    request.refresh_from_db()
    return request


def test_hold_the_next_order_from_the_step(ready):  # type: ignore[no-untyped-def]
    # given
    client = client_for(ready.requested_by)
    # when
    response = client.post(f"/onboarding/{ready.pk}/hold/", {"hold": "1"})
    # then
    assert response.status_code == 302
    ready.connection.refresh_from_db()
    assert ready.connection.hold_next_order is True
    page = client.get(f"/onboarding/{ready.pk}/").content.decode()
    assert "The next order through this connection is held for inspection" in page


def test_a_held_first_order_is_not_yet_confirmable(ready):  # type: ignore[no-untyped-def]
    # given
    order = place_order(ready, status=PurchaseOrderStatus.HELD, buyer=ready.requested_by)
    step = ready.steps.get(key="first_order")
    # when
    with pytest.raises(OnboardingError) as raised:
        request_step_complete(step=step, actor=ready.requested_by, note="Supplier says fine")
    # then
    assert str(raised.value) == (
        f"The first order {order.number} is “Held for inspection”: it has not reached the supplier. Release or retry "
        "it first, then record the supplier's confirmation."
    )
    step.refresh_from_db()
    ready.refresh_from_db()
    assert (step.status, ready.status) == (StepStatus.OPEN, RequestStatus.OPEN)


def test_confirmation_needs_an_order_and_a_note(ready):  # type: ignore[no-untyped-def]
    # given
    step = ready.steps.get(key="first_order")
    # when / then
    with pytest.raises(OnboardingError, match="No order has been placed through this connection yet."):
        request_step_complete(step=step, actor=ready.requested_by, note="Supplier says fine")
    place_order(ready, status=PurchaseOrderStatus.TO_BE_RECEIVED, buyer=ready.requested_by)
    with pytest.raises(OnboardingError, match="Write in the note what happened"):
        request_step_complete(step=step, actor=ready.requested_by, note="  ")
    ready.refresh_from_db()
    assert ready.status == RequestStatus.OPEN


def test_supplier_confirmation_makes_the_request_live(ready):  # type: ignore[no-untyped-def]
    # given
    order = place_order(ready, status=PurchaseOrderStatus.TO_BE_RECEIVED, buyer=ready.requested_by)
    step = ready.steps.get(key="first_order")
    client = client_for(ready.requested_by)
    page = client.get(f"/onboarding/{ready.pk}/").content.decode()
    assert f'href="/orders/{order.pk}/">{order.number}</a>' in page
    # when
    response = client.post(
        f"/onboarding/{ready.pk}/steps/{step.pk}/done/", {"note": "Piet (supplier) confirmed it by phone"}
    )
    # then
    assert response.status_code == 302
    step.refresh_from_db()
    ready.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert step.report["first_order"] == {
        "purchase_order_id": order.pk,
        "number": order.number,
        "status": "to_be_received",
        "supplier_confirmed": "Piet (supplier) confirmed it by phone",
    }
    assert ready.status == RequestStatus.LIVE
