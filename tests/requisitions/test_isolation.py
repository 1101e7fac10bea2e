"""Another organization's order request does not exist for you: 404 on every page and action, and nothing changes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from ocilink.accounts.models import Role
from ocilink.requisitions.models import ApprovalStep, OrderRequest, OrderRequestEvent

from .conftest import logged_in, member, rule, submitted

pytestmark = pytest.mark.django_db

ACTIONS = ["requisitions:request_approve", "requisitions:request_reject", "requisitions:request_reopen"]


def _state(order_request: OrderRequest) -> tuple[object, ...]:
    order_request.refresh_from_db()
    return (
        order_request.status,
        order_request.updated_at,
        list(ApprovalStep.objects.filter(order_request=order_request).values_list("status", "decided_by_id")),
        OrderRequestEvent.objects.filter(order_request=order_request).count(),
    )


@pytest.mark.parametrize("role", ["approver", "admin", "buyer"])
def test_members_of_another_organization_get_404_everywhere_and_change_nothing(
    org, other_org, role, django_capture_on_commit_callbacks
):
    rule(org.organization, approver_role="approver")
    rule(other_org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    before = _state(order_request)
    intruder = logged_in(getattr(other_org, role))

    with django_capture_on_commit_callbacks(execute=True):
        pages = [intruder.get(reverse("requisitions:request_detail", args=[order_request.pk])).status_code]
        pages += [
            intruder.post(reverse(action, args=[order_request.pk]), {"comment": "mine now"}).status_code
            for action in ACTIONS
        ]

    assert pages == [404, 404, 404, 404]
    assert _state(order_request) == before
    assert mail.outbox == []
    listed = intruder.get(reverse("requisitions:request_list"), {"status": "submitted"}).context["rows"]
    waiting = intruder.get(reverse("requisitions:waiting")).context["rows"]
    assert order_request.pk not in [row.pk for row in listed + waiting]


def test_a_buyer_does_not_see_another_buyers_request(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    colleague = logged_in(member(org.organization, Role.BUYER, "Cole"))

    response = colleague.get(reverse("requisitions:request_detail", args=[order_request.pk]))

    assert response.status_code == 404


def test_a_buyer_named_by_a_rule_sees_and_decides_the_request(org):
    colleague = member(org.organization, Role.BUYER, "Cole")
    rule(org.organization, approver=colleague)
    order_request = submitted(org, prices=("250.00",))
    client = logged_in(colleague)

    page = client.get(reverse("requisitions:request_detail", args=[order_request.pk]))
    client.post(reverse("requisitions:request_approve", args=[order_request.pk]), {"comment": ""})

    assert page.status_code == 200
    order_request.refresh_from_db()
    assert order_request.status == "approved"
