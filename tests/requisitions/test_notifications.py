"""E-mail: the approvers of a level when it starts waiting for them, the requester when the request is decided."""

from __future__ import annotations

import pytest
from django.core import mail

from ocilink.accounts.models import Role
from ocilink.requisitions.handoff import order_request_approve_and_place
from ocilink.requisitions.services import ApprovalError, order_request_reject

from .conftest import grant, member, rule, submitted

pytestmark = pytest.mark.django_db


def _recipients() -> list[list[str]]:
    return sorted(message.to for message in mail.outbox)


def test_submitting_tells_every_member_with_the_role_of_level_one_and_nobody_else(
    org, other_org, django_capture_on_commit_callbacks
):
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=2, approver=org.admin)
    without_address = member(org.organization, Role.APPROVER, "Nomail")
    without_address.email = ""
    without_address.save()

    with django_capture_on_commit_callbacks(execute=True):
        order_request = submitted(org, prices=("250.00",))

    assert _recipients() == [["anna@example.org"], ["arno@example.org"]]
    message = mail.outbox[0]
    assert message.subject == f"Order request #{order_request.pk} from Bea Test waits for your approval"
    assert f"/cart/requests/{order_request.pk}/" in message.body
    assert "EUR 250.00" in message.body


def test_the_next_level_is_told_when_the_level_below_has_approved(org, django_capture_on_commit_callbacks):
    rule(org.organization, level=1, approver=org.approver)
    rule(org.organization, level=2, approver=org.admin)
    order_request = submitted(org, prices=("250.00",))

    with django_capture_on_commit_callbacks(execute=True):
        order_request_approve_and_place(order_request=order_request, approver=org.approver)

    assert _recipients() == [["ada@example.org"]]


def test_the_requester_is_told_of_the_approval_with_the_order_numbers(org, django_capture_on_commit_callbacks):
    rule(org.organization, approver=org.approver)
    order_request = submitted(org, prices=("250.00",))

    with django_capture_on_commit_callbacks(execute=True):
        order_request_approve_and_place(order_request=order_request, approver=org.approver)

    (message,) = mail.outbox
    number = order_request.purchase_orders.get().number
    assert message.to == ["bea@example.org"]
    assert message.subject == f"Your order request #{order_request.pk} was approved"
    assert f"approved and ordered: {number}." in message.body


def test_the_requester_is_told_why_it_was_rejected(org, django_capture_on_commit_callbacks):
    rule(org.organization, approver=org.approver)
    order_request = submitted(org, prices=("250.00",))

    with django_capture_on_commit_callbacks(execute=True):
        order_request_reject(order_request=order_request, approver=org.approver, comment="Use the framework contract")

    (message,) = mail.outbox
    assert message.to == ["bea@example.org"]
    assert message.subject == f"Your order request #{order_request.pk} was rejected"
    assert "rejected by Arno Test:\n\nUse the framework contract\n" in message.body


def test_the_requester_is_never_told_to_approve_their_own_request(org, django_capture_on_commit_callbacks):
    approving_buyer = member(org.organization, Role.APPROVER, "Sam")
    grant(org.organization, approving_buyer)
    rule(org.organization, approver_role="approver")

    with django_capture_on_commit_callbacks(execute=True):
        submitted(org, requester=approving_buyer, prices=("250.00",))

    assert _recipients() == [["anna@example.org"], ["arno@example.org"]]


def test_a_refused_decision_sends_nothing(org, django_capture_on_commit_callbacks):
    rule(org.organization, approver=org.approver)
    order_request = submitted(org, prices=("250.00",))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApprovalError, match="Say why"):
        order_request_reject(order_request=order_request, approver=org.approver, comment="")

    assert mail.outbox == []
