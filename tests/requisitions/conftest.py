"""Fixtures for approval: an organization with a buyer, approvers, an administrator, and carts built with the ORM.

Carts are built directly (not through a punchout) so that these tests depend only on the approval services; the
punchout path into the cart has its own tests. The supplier's orders go through the fake channel of
``tests/orders``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ocilink.accounts.models import CostCentre, DeliveryAddress, Membership, Organization, Role
from ocilink.requisitions.handoff import order_request_submit_and_place
from ocilink.requisitions.models import ApprovalRule, OrderRequest, OrderRequestLine
from ocilink.suppliers.models import OrderingRight, Supplier, SupplierGroup
from tests.factories import DeliveryAddressFactory, MembershipFactory, OrganizationFactory, SupplierFactory, UserFactory
from tests.orders.fake_channel import FakeChannel


@dataclass
class Org:
    organization: Organization
    address: DeliveryAddress
    group: SupplierGroup
    supplier: Supplier
    buyer: Any
    approver: Any
    second_approver: Any
    admin: Any


def member(organization: Organization, role: str, name: str, **extra: Any) -> Any:
    user = UserFactory(first_name=name, last_name="Test", email=f"{name.lower()}@example.org", **extra)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


def grant(organization: Organization, user: Any, *, limit: str = "0.00", all_groups: bool = True) -> OrderingRight:
    """The user's own ordering right (it replaces their role's)."""
    right, _ = OrderingRight.objects.update_or_create(
        organization=organization,
        user=user,
        defaults={"role": "", "may_order": True, "all_supplier_groups": all_groups, "limit_without_approval": limit},
    )
    return right


def rule(organization: Organization, *, level: int = 1, min_amount: str = "0.00", **who: Any) -> ApprovalRule:
    return ApprovalRule.objects.create(
        organization=organization, name=f"level {level} from {min_amount}", level=level, min_amount=min_amount, **who
    )


def make_org() -> Org:
    from ocilink.connections.services import oci_credential_set

    organization = OrganizationFactory()
    address = DeliveryAddressFactory(organization=organization, is_default=True)
    group = SupplierGroup.objects.create(organization=organization, name="Office")
    supplier = SupplierFactory(organization=organization, group=group)
    connection = supplier.external_connection
    connection.ordering_method = "fake"
    connection.ordering_settings = {"target": "x"}
    connection.save()
    oci_credential_set(connection=connection, delivery_address=None, username="u", password="p")
    buyer = member(organization, Role.BUYER, "Bea")
    Membership.objects.filter(user=buyer).update(delivery_address=address)
    grant(organization, buyer, limit="100.00")
    return Org(
        organization=organization,
        address=address,
        group=group,
        supplier=supplier,
        buyer=buyer,
        approver=member(organization, Role.APPROVER, "Arno"),
        second_approver=member(organization, Role.APPROVER, "Anna"),
        admin=member(organization, Role.ADMINISTRATOR, "Ada"),
    )


@pytest.fixture(autouse=True)
def fake_channel():  # type: ignore[no-untyped-def]
    FakeChannel.script = []
    FakeChannel.sent = []
    return FakeChannel


@pytest.fixture
def org(db) -> Org:  # type: ignore[no-untyped-def]
    return make_org()


@pytest.fixture
def other_org(db) -> Org:  # type: ignore[no-untyped-def]
    return make_org()


def make_cart(
    org: Org,
    *,
    requester: Any = None,
    prices: tuple[str | None, ...] = ("10.00",),
    quantity: str = "1",
    supplier: Supplier | None = None,
    vendormat: str = "A-{n}",
    price_unit: str = "1",
    currency: str = "EUR",
    cost_centre: CostCentre | None = None,
) -> OrderRequest:
    """A draft order request (the requester's cart) with one line per price."""
    supplier = supplier or org.supplier
    order_request = OrderRequest.objects.create(
        organization=org.organization,
        requester=requester or org.buyer,
        delivery_address=org.address,
        cost_centre=cost_centre,
    )
    OrderRequestLine.objects.bulk_create(
        OrderRequestLine(
            order_request=order_request,
            position=n,
            supplier=supplier,
            connection=supplier.external_connection,
            description=f"Article {n}",
            quantity=Decimal(quantity),
            unit="PCE",
            unit_price=None if price is None else Decimal(price),
            price_unit=Decimal(price_unit),
            currency=currency if price is not None else "",
            vendormat=vendormat.format(n=n),
        )
        for n, price in enumerate(prices, start=1)
    )
    return order_request


def submitted(org: Org, **cart: Any) -> OrderRequest:
    """A cart submitted by its requester; reloaded."""
    order_request = make_cart(org, **cart)
    order_request_submit_and_place(order_request=order_request, requester=order_request.requester)
    order_request.refresh_from_db()
    return order_request


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
