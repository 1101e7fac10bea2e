"""Approving and rejecting: levels in order, never one's own request, a reason for every rejection."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ocilink.accounts.models import Role
from ocilink.orders.models import PurchaseOrder
from ocilink.requisitions.handoff import order_request_approve_and_place
from ocilink.requisitions.models import ApprovalStep
from ocilink.requisitions.services import ApprovalError, order_request_reject
from ocilink.requisitions.states import OrderRequestStatus
from tests.factories import UserFactory

from .conftest import grant, logged_in, member, rule, submitted

pytestmark = pytest.mark.django_db


def _statuses(order_request) -> list[tuple[int, str, int | None, str]]:  # type: ignore[no-untyped-def]
    return list(
        ApprovalStep.objects.filter(order_request=order_request)
        .order_by("level", "pk")
        .values_list("level", "status", "decided_by_id", "comment")
    )


def test_one_level_approval_orders_in_the_same_transaction(org, django_capture_on_commit_callbacks):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))

    with django_capture_on_commit_callbacks(execute=True):
        decided = order_request_approve_and_place(order_request=order_request, approver=org.approver, comment="Fine")

    assert decided.status == OrderRequestStatus.APPROVED
    assert decided.decided_at is not None
    assert _statuses(order_request) == [(1, "approved", org.approver.pk, "Fine")]
    (purchase_order,) = PurchaseOrder.objects.filter(order_request=order_request)
    assert purchase_order.dispatch is not None
    assert list(order_request.events.values_list("action", "actor_id")) == [
        ("submitted", org.buyer.pk),
        ("approved", org.approver.pk),
        ("ordered", org.approver.pk),
    ]


def test_level_two_waits_until_level_one_has_approved(org):
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=2, approver=org.admin)
    order_request = submitted(org, prices=("250.00",))

    with pytest.raises(ApprovalError) as too_early:
        order_request_approve_and_place(order_request=order_request, approver=org.admin)
    first = order_request_approve_and_place(order_request=order_request, approver=org.approver)
    second = order_request_approve_and_place(order_request=order_request, approver=org.admin)

    assert str(too_early.value) == "Your decision is asked at level 2; level 1 must approve first."
    assert first.status == OrderRequestStatus.SUBMITTED
    assert second.status == OrderRequestStatus.APPROVED
    assert _statuses(order_request) == [(1, "approved", org.approver.pk, ""), (2, "approved", org.admin.pk, "")]
    assert PurchaseOrder.objects.filter(order_request=order_request).count() == 1


def test_every_step_of_a_level_must_approve(org):
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=1, approver=org.admin)
    order_request = submitted(org, prices=("250.00",))

    after_one = order_request_approve_and_place(order_request=order_request, approver=org.admin)
    after_both = order_request_approve_and_place(order_request=order_request, approver=org.approver)

    assert after_one.status == OrderRequestStatus.SUBMITTED
    assert after_both.status == OrderRequestStatus.APPROVED


def test_a_requester_never_approves_their_own_request_by_name_or_by_role(org):
    approving_buyer = member(org.organization, Role.APPROVER, "Sam")
    grant(org.organization, approving_buyer, limit="0.00")
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=1, approver=approving_buyer)
    order_request = submitted(org, requester=approving_buyer, prices=("50.00",))

    with pytest.raises(ApprovalError) as refused:
        order_request_approve_and_place(order_request=order_request, approver=approving_buyer)

    assert str(refused.value) == "You cannot decide on your own order request: another approver must."
    assert _statuses(order_request) == [(1, "pending", None, ""), (1, "pending", None, "")]
    assert not PurchaseOrder.objects.exists()


def test_a_member_the_level_does_not_name_is_refused(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))

    with pytest.raises(ApprovalError) as refused:
        order_request_approve_and_place(order_request=order_request, approver=org.admin)

    assert str(refused.value) == "You are not an approver of this order request at its current level."


def test_a_rejection_needs_a_comment(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))

    with pytest.raises(ApprovalError) as refused:
        order_request_reject(order_request=order_request, approver=org.approver, comment="  ")

    assert str(refused.value) == "Say why you reject this order request: the requester reads it to put it right."
    order_request.refresh_from_db()
    assert order_request.status == OrderRequestStatus.SUBMITTED
    assert _statuses(order_request) == [(1, "pending", None, "")]


def test_a_rejection_ends_the_request_and_voids_the_open_steps(org):
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=2, approver=org.admin)
    order_request = submitted(org, prices=("250.00",))

    decided = order_request_reject(order_request=order_request, approver=org.approver, comment="Too expensive")

    assert decided.status == OrderRequestStatus.REJECTED
    assert _statuses(order_request) == [(1, "rejected", org.approver.pk, "Too expensive"), (2, "void", None, "")]
    assert list(order_request.events.values_list("action", "comment"))[-1] == ("rejected", "Too expensive")
    with pytest.raises(ApprovalError, match="is not waiting for approval: it is rejected"):
        order_request_approve_and_place(order_request=order_request, approver=org.second_approver)
    assert not PurchaseOrder.objects.exists()


def test_an_ordering_problem_at_the_last_approval_changes_nothing(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    connection = org.supplier.external_connection
    connection.ordering_method = ""
    connection.save()

    with pytest.raises(ApprovalError, match="has no ordering method"):
        order_request_approve_and_place(order_request=order_request, approver=org.approver)

    order_request.refresh_from_db()
    assert order_request.status == OrderRequestStatus.SUBMITTED
    assert _statuses(order_request) == [(1, "pending", None, "")]
    assert list(order_request.events.values_list("action", flat=True)) == ["submitted"]


def test_the_approve_and_reject_buttons_decide_with_the_comment(org):
    rule(org.organization, approver_role="approver")
    first = submitted(org, prices=("250.00",))
    client = logged_in(org.approver)

    page = client.get(reverse("requisitions:request_detail", args=[first.pk])).content.decode()
    approved = client.post(
        reverse("requisitions:request_approve", args=[first.pk]), {"comment": "Go ahead"}, follow=True
    )
    second = submitted(org, prices=("300.00",))
    refused = client.post(reverse("requisitions:request_reject", args=[second.pk]), {"comment": ""}, follow=True)
    rejected = client.post(
        reverse("requisitions:request_reject", args=[second.pk]), {"comment": "Not this year"}, follow=True
    )

    assert 'id="approve"' in page
    assert 'id="reject"' in page
    number = PurchaseOrder.objects.get(order_request=first).number
    assert [str(m) for m in approved.context["messages"]] == [f"Approved and ordered: {number}."]
    assert [str(m) for m in refused.context["messages"]] == [
        "Say why you reject this order request: the requester reads it to put it right."
    ]
    assert [str(m) for m in rejected.context["messages"]] == [
        "Rejected. The requester sees your comment on the request."
    ]
    second.refresh_from_db()
    assert second.status == OrderRequestStatus.REJECTED


def test_the_requester_sees_no_decision_buttons_on_their_own_request(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))

    page = logged_in(org.buyer).get(reverse("requisitions:request_detail", args=[order_request.pk])).content.decode()

    assert 'id="approve"' not in page
    assert 'id="reopen"' in page


def test_platform_staff_who_are_not_members_never_decide(org):
    rule(org.organization, approver_role="administrator")
    order_request = submitted(org, prices=("250.00",))
    staff = UserFactory(is_staff=True)

    with pytest.raises(ApprovalError) as refused:
        order_request_approve_and_place(order_request=order_request, approver=staff)

    assert str(refused.value) == "You are not a member of this organization."
    order_request.refresh_from_db()
    assert order_request.status == OrderRequestStatus.SUBMITTED
