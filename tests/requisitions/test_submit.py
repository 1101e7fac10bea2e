"""Submitting: within the limit it is ordered at once; above it, the rules decide the approval steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocilink.accounts.models import CostCentre
from ocilink.orders.models import PurchaseOrder
from ocilink.requisitions.handoff import order_request_submit_and_place
from ocilink.requisitions.models import ApprovalStep, OrderRequest
from ocilink.requisitions.services import SubmitError
from ocilink.requisitions.states import OrderRequestStatus
from ocilink.suppliers.models import OrderingRight, SupplierGroup

from .conftest import grant, make_cart, rule, submitted

pytestmark = pytest.mark.django_db


def _steps(order_request: OrderRequest) -> list[tuple[int, int | None, str, str]]:
    return list(
        ApprovalStep.objects.filter(order_request=order_request)
        .order_by("level", "pk")
        .values_list("level", "approver_id", "approver_role", "status")
    )


def test_within_the_limit_it_is_approved_and_ordered_at_once(org, django_capture_on_commit_callbacks):
    cart = make_cart(org, prices=("40.00", "60.00"))  # 100.00: exactly the buyer's limit

    with django_capture_on_commit_callbacks(execute=True):
        purchase_orders = order_request_submit_and_place(order_request=cart, requester=org.buyer)

    cart.refresh_from_db()
    assert cart.status == OrderRequestStatus.APPROVED
    assert [po.total for po in purchase_orders] == [Decimal("100.00")]
    assert PurchaseOrder.objects.filter(order_request=cart).count() == 1
    assert _steps(cart) == []
    assert list(cart.events.values_list("action", flat=True)) == ["submitted", "approved", "ordered"]


def test_above_the_limit_it_waits_for_one_level_and_nothing_is_ordered(org):
    rule(org.organization, approver_role="approver")

    order_request = submitted(org, prices=("100.01",))

    assert order_request.status == OrderRequestStatus.SUBMITTED
    assert order_request.submitted_at is not None
    assert _steps(order_request) == [(1, None, "approver", "pending")]
    assert not PurchaseOrder.objects.exists()
    assert list(order_request.events.values_list("action", "comment")) == [
        ("submitted", "Amount for approval: EUR 100.01.")
    ]


def test_rules_apply_from_their_amount_in_levels(org):
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=2, min_amount="10000.00", approver=org.admin)

    small = submitted(org, prices=("500.00",))
    large = submitted(org, prices=("10000.00",))

    assert _steps(small) == [(1, None, "approver", "pending")]
    assert _steps(large) == [(1, None, "approver", "pending"), (2, org.admin.pk, "", "pending")]


def test_a_cost_centre_rule_applies_only_to_requests_of_that_cost_centre(org):
    facilities = CostCentre.objects.create(organization=org.organization, code="400", name="Facilities")
    other = CostCentre.objects.create(organization=org.organization, code="500", name="IT")
    rule(org.organization, approver_role="approver")
    rule(org.organization, level=2, cost_centre=facilities, approver=org.admin)

    for_facilities = submitted(org, prices=("500.00",), cost_centre=facilities)
    for_it = submitted(org, prices=("500.00",), cost_centre=other)
    without = submitted(org, prices=("500.00",))

    assert _steps(for_facilities) == [(1, None, "approver", "pending"), (2, org.admin.pk, "", "pending")]
    assert _steps(for_it) == [(1, None, "approver", "pending")]
    assert _steps(without) == [(1, None, "approver", "pending")]


def test_an_inactive_rule_is_ignored_and_without_a_rule_any_approver_decides(org):
    inactive = rule(org.organization, approver=org.admin)
    inactive.is_active = False
    inactive.save()

    order_request = submitted(org, prices=("500.00",))

    assert _steps(order_request) == [(1, None, "approver", "pending")]


def test_a_member_who_may_not_order_is_refused_and_nothing_changes(org):
    OrderingRight.objects.filter(user=org.buyer).update(may_order=False)
    cart = make_cart(org, prices=("5.00",))

    with pytest.raises(SubmitError) as refused:
        order_request_submit_and_place(order_request=cart, requester=org.buyer)

    assert str(refused.value) == (
        f"You may not order in {org.organization.name}. Ask your administrator for an ordering right."
    )

    cart.refresh_from_db()
    assert cart.status == OrderRequestStatus.DRAFT
    assert not cart.events.exists()
    assert not PurchaseOrder.objects.exists()


def test_a_supplier_outside_the_buyers_groups_is_refused_with_its_name(org):
    right = grant(org.organization, org.buyer, limit="100.00", all_groups=False)
    right.supplier_groups.set([SupplierGroup.objects.create(organization=org.organization, name="Facility")])
    cart = make_cart(org, prices=("5.00",))

    with pytest.raises(SubmitError) as refused:
        order_request_submit_and_place(order_request=cart, requester=org.buyer)

    assert str(refused.value) == (
        f"You may not order at {org.supplier.name} (Office). Remove its lines from your cart, or ask your "
        "administrator for the right to order at this supplier group."
    )
    cart.refresh_from_db()
    assert cart.status == OrderRequestStatus.DRAFT


def test_a_line_without_a_price_is_refused_before_approval(org):
    rule(org.organization, approver_role="approver")
    cart = make_cart(org, prices=("500.00", None))

    with pytest.raises(SubmitError, match="Line “Article 2” has no price"):
        order_request_submit_and_place(order_request=cart, requester=org.buyer)

    assert not ApprovalStep.objects.exists()


def test_another_organizations_cost_centre_is_refused(org, other_org):
    foreign = CostCentre.objects.create(organization=other_org.organization, code="1", name="Theirs")
    cart = make_cart(org, prices=("500.00",))

    with pytest.raises(SubmitError, match="active cost centres"):
        order_request_submit_and_place(order_request=cart, requester=org.buyer, cost_centre=foreign)

    cart.refresh_from_db()
    assert cart.cost_centre_id is None
    assert cart.status == OrderRequestStatus.DRAFT
