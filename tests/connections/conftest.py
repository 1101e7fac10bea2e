"""Fixtures for the credentials pages: the shop of tests/conftest.py with an administrator of its organization."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from ocilink.accounts.models import DeliveryAddress, Role
from tests.conftest import Shop, make_shop
from tests.factories import DeliveryAddressFactory, MembershipFactory, UserFactory


@dataclass
class AdminShop:
    shop: Shop
    client: Client
    depot: DeliveryAddress

    @property
    def connection(self):  # type: ignore[no-untyped-def]
        return self.shop.connection

    @property
    def organization(self):  # type: ignore[no-untyped-def]
        return self.shop.organization


def make_admin_shop() -> AdminShop:
    shop = make_shop()
    depot = DeliveryAddressFactory(organization=shop.organization, label="Depot", street="Havenweg 12", city="Haven")
    admin = UserFactory(email="ada@municipality.example", first_name="Ada", last_name="Admin")
    MembershipFactory(user=admin, organization=shop.organization, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    return AdminShop(shop=shop, client=client, depot=depot)


@pytest.fixture
def org_admin(db) -> AdminShop:  # type: ignore[no-untyped-def]
    return make_admin_shop()


@pytest.fixture
def other_org_admin(db) -> AdminShop:  # type: ignore[no-untyped-def]
    return make_admin_shop()
