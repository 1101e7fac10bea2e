"""Shared fixtures: an organization with a buyer who can shop at one supplier (the buyer role may order anywhere)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from ocilink.accounts.models import DeliveryAddress, Membership, Role
from ocilink.connections.services import oci_credential_set
from ocilink.suppliers.models import Supplier

from .factories import (
    DeliveryAddressFactory,
    MembershipFactory,
    OrderingRightFactory,
    OrganizationFactory,
    SupplierFactory,
)


@pytest.fixture(autouse=True)
def _default_language(settings):  # type: ignore[no-untyped-def]
    """Every test starts in the platform's language: a Dutch request leaves Dutch active in the thread that served
    it (the locale middleware does not switch back), and a later test's own words would then come out Dutch."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def raw_documents_dir(tmp_path_factory, settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Each test keeps its raw documents in a fresh folder (processes it starts inherit it through the environment);
    the storage is looked up again after the override (Django resets ``storages`` when STORAGES changes)."""
    folder = tmp_path_factory.mktemp("raw-documents")
    settings.STORAGES = {
        **settings.STORAGES,
        "raw_documents": {
            "BACKEND": "ocilink.core.raw_documents.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    monkeypatch.setenv("RAW_DOCUMENTS_DIR", str(folder))
    return folder


@dataclass
class Shop:
    membership: Membership
    supplier: Supplier
    address: DeliveryAddress

    @property
    def user(self):  # type: ignore[no-untyped-def]
        return self.membership.user

    @property
    def organization(self):  # type: ignore[no-untyped-def]
        return self.membership.organization

    @property
    def connection(self):  # type: ignore[no-untyped-def]
        return self.supplier.external_connection


def make_shop() -> Shop:
    organization = OrganizationFactory()
    address = DeliveryAddressFactory(organization=organization, is_default=True)
    membership = MembershipFactory(organization=organization, delivery_address=address)
    # Buyers may order at every supplier group, and (with this limit) practically without approval.
    OrderingRightFactory(organization=organization, role=Role.BUYER, all_supplier_groups=True)
    supplier = SupplierFactory(organization=organization)
    oci_credential_set(
        connection=supplier.external_connection, delivery_address=None, username="org-account", password="org-secret"
    )
    return Shop(membership=membership, supplier=supplier, address=address)


@pytest.fixture
def shop(db) -> Shop:  # type: ignore[no-untyped-def]
    return make_shop()


@pytest.fixture
def other_shop(db) -> Shop:  # type: ignore[no-untyped-def]
    return make_shop()
