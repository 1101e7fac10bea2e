"""The request page: where each line came from, flagged prices, the steps with who can decide, the history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ocilink.accounts.models import Membership, Role
from ocilink.protocols.oci import encode_cart_body
from ocilink.punchout.models import CartReturn
from ocilink.requisitions.handoff import order_request_approve_and_place, order_request_submit_and_place
from ocilink.requisitions.models import OrderRequest
from ocilink.requisitions.selectors import order_request_detail
from ocilink.requisitions.services import order_request_reject
from tests.factories import SupplierFactory
from tests.punchout.helpers import line, post_cart, start_punchout

from .conftest import grant, logged_in, make_cart, member, rule, submitted

pytestmark = pytest.mark.django_db


def _detail(org, order_request, user=None):  # type: ignore[no-untyped-def]
    membership = Membership.objects.select_related("user").get(user=user or org.approver)
    return order_request_detail(membership=membership, order_request=order_request)


def _flags(detail) -> list[tuple[str, bool, bool, bool]]:  # type: ignore[no-untyped-def]
    return [(v.line.vendormat, v.missing_price, v.zero_price, v.price_differs) for v in detail.lines]


def _approved(org, vendormat: str, price: str, price_unit: str = "1", supplier=None) -> OrderRequest:  # type: ignore[no-untyped-def]
    return submitted(org, prices=(price,), vendormat=vendormat, price_unit=price_unit, supplier=supplier)


def test_lines_are_flagged_for_zero_price_and_a_price_unlike_the_last_approved_order(org):
    rule(org.organization, approver_role="approver")
    _approved(org, "PAPER", "4.00", price_unit="100")  # older
    _approved(org, "PAPER", "4.50", price_unit="100")  # the last approved order of this article
    _approved(org, "CLIPS", "45.00", price_unit="1000")
    rejected = submitted(org, prices=("900.00",), vendormat="PEN")
    order_request_reject(order_request=rejected, approver=org.approver, comment="No")
    elsewhere = SupplierFactory(organization=org.organization, group=org.group)
    elsewhere.external_connection.ordering_method = "fake"
    elsewhere.external_connection.save()
    _approved(org, "TONER", "80.00", supplier=elsewhere)
    order_request = make_cart(org, prices=("5.00", "4.50", "0.00", "1.00", "70.00"), price_unit="100")
    order_request.lines.filter(position=1).update(vendormat="PAPER")
    order_request.lines.filter(position=2).update(vendormat="CLIPS", price_unit="100")
    order_request.lines.filter(position=4).update(vendormat="PEN")
    order_request.lines.filter(position=5).update(vendormat="TONER")
    order_request_submit_and_place(order_request=order_request, requester=org.buyer)

    detail = _detail(org, order_request)

    assert _flags(detail) == [
        ("PAPER", False, False, True),
        ("CLIPS", False, False, False),  # 4.50 per 100 is 45.00 per 1000
        ("A-3", False, True, False),
        ("PEN", False, False, False),  # the earlier request was rejected, not ordered
        ("TONER", False, False, False),  # the same article number at another supplier
    ]
    paper = detail.lines[0]
    assert (paper.last.per_unit, paper.per_unit) == (paper.last.unit_price / 100, paper.line.unit_price / 100)
    page = logged_in(org.approver).get(reverse("requisitions:request_detail", args=[order_request.pk]))
    text = page.content.decode()
    assert "EUR 0.0450 per unit then, EUR 0.0500 now." in text
    assert "The price is 0." in text
    assert "2 lines are flagged: check them before you decide." in text


def test_a_line_without_a_price_is_flagged(org):
    cart = make_cart(org, prices=(None,))

    detail = _detail(org, cart, user=org.buyer)

    assert _flags(detail) == [("A-1", True, False, False)]


def test_each_line_shows_the_punchout_it_came_from(org):
    rule(org.organization, approver_role="approver")
    buyer = logged_in(org.buyer)
    _, hook_path = start_punchout(buyer, org.supplier.pk)
    assert post_cart(hook_path, encode_cart_body([line(1, PRICE="300.00")])).status_code == 303
    order_request = OrderRequest.objects.get(requester=org.buyer, status="draft")
    order_request_submit_and_place(order_request=order_request, requester=org.buyer)
    cart_return = CartReturn.objects.get()

    page = logged_in(org.approver).get(reverse("requisitions:request_detail", args=[order_request.pk]))

    text = page.content.decode()
    assert org.supplier.name in text
    assert f"via {org.supplier.external_connection.name}" in text
    assert cart_return.reference in text
    shown = page.context["detail"].lines[0].line
    assert (shown.cart_return_id, shown.cart_return_reference) == (cart_return.pk, cart_return.reference)


def test_steps_and_history_show_who_decided_when_and_why(org):
    rule(org.organization, level=1, approver_role="approver")
    rule(org.organization, level=2, approver=org.admin)
    order_request = submitted(org, prices=("250.00",))
    order_request_approve_and_place(order_request=order_request, approver=org.approver, comment="Budget ok")

    detail = _detail(org, order_request, user=org.admin)

    assert [(v.step.level, v.step.status, v.step.decided_by, v.step.comment, v.is_current) for v in detail.steps] == [
        (1, "approved", org.approver, "Budget ok", False),
        (2, "pending", None, "", True),
    ]
    assert [(v.label, v.event.actor, v.event.comment) for v in detail.events] == [
        ("Submitted", org.buyer, "Amount for approval: EUR 250.00."),
        ("Approved a step", org.approver, "Budget ok"),
    ]
    assert detail.may_decide is True
    assert detail.blocked_steps == []


def test_the_requester_is_told_when_only_they_hold_the_approving_role(org):
    lone = member(org.organization, Role.ADMINISTRATOR, "Lone")
    Membership.objects.filter(user=org.admin).update(role=Role.BUYER)
    grant(org.organization, lone)
    rule(org.organization, approver_role="administrator")
    order_request = submitted(org, requester=lone, prices=("250.00",))

    page = logged_in(lone).get(reverse("requisitions:request_detail", args=[order_request.pk]))

    assert [v.blocked for v in page.context["detail"].blocked_steps] == ["only_requester_has_role"]
    assert (
        "Nobody can approve level 1 yet: the requester is the only member with the role Administrator, and nobody "
        "approves their own order request." in page.content.decode()
    )


def test_the_requester_is_told_when_the_rule_names_them(org):
    grant(org.organization, org.approver)
    rule(org.organization, approver=org.approver)
    order_request = submitted(org, requester=org.approver, prices=("250.00",))

    page = logged_in(org.approver).get(reverse("requisitions:request_detail", args=[order_request.pk]))

    assert [v.blocked for v in page.context["detail"].blocked_steps] == ["names_requester"]
    assert "its rule names the requester as the approver" in page.content.decode()
