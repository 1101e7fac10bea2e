"""Editing a submitted request: it is withdrawn to the cart, its approvals become void, and it is submitted again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ocilink.requisitions.cart import CartError, cart_line_remove, cart_line_set_quantity
from ocilink.requisitions.handoff import order_request_approve_and_place, order_request_submit_and_place
from ocilink.requisitions.models import ApprovalStep, OrderRequest
from ocilink.requisitions.services import ApprovalError, ReopenError, order_request_reject, order_request_reopen
from ocilink.requisitions.states import OrderRequestStatus

from .conftest import logged_in, make_cart, rule, submitted

pytestmark = pytest.mark.django_db


def _steps(order_request: OrderRequest) -> list[tuple[int, str]]:
    return list(order_request.approval_steps.order_by("pk").values_list("level", "status"))


def test_a_submitted_request_is_not_the_cart_and_refuses_edits(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    line = order_request.lines.get()

    with pytest.raises(CartError) as refused:
        cart_line_set_quantity(order_request=order_request, line_id=line.pk, quantity="5")
    with pytest.raises(CartError):
        cart_line_remove(order_request=order_request, line_id=line.pk)

    assert str(refused.value) == (
        f"Order request #{order_request.pk} was submitted, so it is no longer your cart. To change it, open it "
        "and press “Withdraw to edit” first; it then needs approval again."
    )
    line.refresh_from_db()
    assert line.quantity == Decimal(1)


def test_the_cart_page_says_so_for_a_line_of_a_submitted_request(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    line = order_request.lines.get()

    response = logged_in(org.buyer).post(
        reverse("requisitions:line_update", args=[line.pk]), {"quantity": "5"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]][0].startswith(
        f"Order request #{order_request.pk} was submitted, so it is no longer your cart."
    )
    line.refresh_from_db()
    assert line.quantity == Decimal(1)


def test_reopening_voids_every_approval_and_the_request_needs_approval_again(org):
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=2, approver=org.admin)
    order_request = submitted(org, prices=("250.00",))
    order_request_approve_and_place(order_request=order_request, approver=org.approver)

    reopened = order_request_reopen(order_request=order_request, actor=org.buyer)
    line = reopened.lines.get()
    cart_line_set_quantity(order_request=reopened, line_id=line.pk, quantity="2")
    order_request_submit_and_place(order_request=reopened, requester=org.buyer)

    reopened.refresh_from_db()
    assert reopened.status == OrderRequestStatus.SUBMITTED
    assert _steps(reopened) == [(1, "void"), (2, "void"), (1, "pending"), (2, "pending")]
    assert list(reopened.events.values_list("action", flat=True)) == [
        "submitted",
        "level_approved",
        "reopened",
        "submitted",
    ]
    with pytest.raises(ApprovalError, match="level 1 must approve first"):
        order_request_approve_and_place(order_request=reopened, approver=org.admin)


def test_a_rejected_request_is_edited_and_submitted_again(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    order_request_reject(order_request=order_request, approver=org.approver, comment="Two, not one")

    order_request_reopen(order_request=order_request, actor=org.buyer)
    cart_line_set_quantity(order_request=order_request, line_id=order_request.lines.get().pk, quantity="2")
    order_request_submit_and_place(order_request=order_request, requester=org.buyer)
    decided = order_request_approve_and_place(order_request=order_request, approver=org.approver)

    assert decided.status == OrderRequestStatus.APPROVED
    assert _steps(order_request) == [(1, "rejected"), (1, "approved")]


def test_only_the_requester_reopens_and_only_before_the_decision_to_order(org):
    order_request = submitted(org, prices=("10.00",))  # within the limit: approved and ordered

    with pytest.raises(ReopenError) as by_other:
        order_request_reopen(order_request=order_request, actor=org.approver)
    with pytest.raises(ReopenError) as approved:
        order_request_reopen(order_request=order_request, actor=org.buyer)

    assert str(by_other.value) == "Only the requester can withdraw this order request to edit it."
    assert str(approved.value) == f"Order request #{order_request.pk} is approved and can no longer be changed."


def test_reopening_is_refused_while_another_cart_holds_lines_and_an_empty_cart_makes_way(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    other_cart = make_cart(org, prices=("1.00",))

    with pytest.raises(ReopenError) as refused:
        order_request_reopen(order_request=order_request, actor=org.buyer)
    other_cart.lines.all().delete()
    reopened = order_request_reopen(order_request=order_request, actor=org.buyer)

    assert str(refused.value) == (
        "You already have a cart with other lines. Submit it or empty it first: you can edit one order request at "
        "a time."
    )
    assert reopened.status == OrderRequestStatus.DRAFT
    assert not OrderRequest.objects.filter(pk=other_cart.pk).exists()


def test_the_reopen_button_makes_it_the_cart_with_a_note(org):
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    client = logged_in(org.buyer)

    response = client.post(reverse("requisitions:request_reopen", args=[order_request.pk]), follow=True)

    assert response.context["cart"].order_request == order_request
    assert 'id="resubmit-note"' in response.content.decode()
    assert ApprovalStep.objects.get(order_request=order_request).status == "void"
