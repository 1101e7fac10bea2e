"""Fixtures for onboarding: organizations in each phase, their administrators, platform staff, a catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ocilink.accounts.models import Organization, PlatformRole, PlatformStaff, Role
from ocilink.accounts.selectors import SESSION_ORGANIZATION_KEY
from ocilink.connections.models import CatalogueEntry, Connection
from ocilink.onboarding.models import ConnectionRequest
from ocilink.orders.models import PurchaseOrder
from ocilink.requisitions.models import OrderRequest
from ocilink.suppliers.models import Supplier
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _onboarding_urls(settings):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "tests.onboarding.urls"


def make_administrator(organization: Organization, email: str = "") -> Any:
    user = UserFactory(email=email or f"admin-{organization.slug}@example.org")
    MembershipFactory(user=user, organization=organization, role=Role.ADMINISTRATOR)
    return user


def make_staff(role: str, email: str = "") -> Any:
    user = UserFactory(email=email or f"{role}@platform.example")
    PlatformStaff.objects.create(user=user, role=role)
    return user


@pytest.fixture
def implementation_org(db) -> Organization:  # type: ignore[no-untyped-def]
    return OrganizationFactory(phase=Organization.Phase.IMPLEMENTATION)


@pytest.fixture
def live_org(db) -> Organization:  # type: ignore[no-untyped-def]
    return OrganizationFactory(phase=Organization.Phase.LIVE)


@pytest.fixture
def consultant(db):  # type: ignore[no-untyped-def]
    return make_staff(PlatformRole.CONSULTANT)


@pytest.fixture
def support(db):  # type: ignore[no-untyped-def]
    return make_staff(PlatformRole.SUPPORT)


@pytest.fixture
def entry(db) -> CatalogueEntry:  # type: ignore[no-untyped-def]
    return CatalogueEntry.objects.create(
        supplier_name="Office Supplies Ltd",
        webshop_url="https://shop.example.com/oci/",
        ordering_methods=["email_pdf", "cxml_https"],
        ledger_translation=True,
        xml_invoices=True,
        discounts="5% over 500 EUR",
        contact_email="oci@shop.example.com",
    )


def client_for(user: Any, organization: Organization | None = None) -> Client:
    """A logged-in client; staff act in ``organization`` (it is chosen in their session)."""
    client = Client()
    client.force_login(user)
    if organization is not None:
        session = client.session
        session[SESSION_ORGANIZATION_KEY] = organization.pk
        session.save()
    return client


def make_connection(organization: Organization, *, active: bool, name: str = "Shop", **extra: Any) -> Connection:
    return Connection.objects.create(
        organization=organization, name=name, url="https://shop.example.com/oci/", is_active=active, **extra
    )


def place_order(request: ConnectionRequest, *, status: str, buyer: Any) -> PurchaseOrder:
    """A purchase order through the request's connection, as approval would have made it."""
    connection = request.connection
    assert connection is not None
    supplier = Supplier.objects.create(
        organization=request.organization, name=request.supplier_name, external_connection=connection
    )
    order_request = OrderRequest.objects.create(organization=request.organization, requester=buyer, status="approved")
    return PurchaseOrder.objects.create(
        organization=request.organization,
        number=f"PO-2026-{PurchaseOrder.objects.count() + 1:06d}",
        order_request=order_request,
        supplier=supplier,
        connection=connection,
        buyer=buyer,
        status=status,
        currency="EUR",
        snapshot={},
    )
