"""Fixtures for ordering: a buyer with a filled cart at a supplier whose orders go through the fake channel."""

from __future__ import annotations

import pytest
from django.test import Client

from ocilink.accounts.models import Membership, Role
from ocilink.protocols.oci import encode_cart_body
from tests.factories import MembershipFactory, UserFactory
from tests.punchout.helpers import line, post_cart, start_punchout

from .fake_channel import FakeChannel


@pytest.fixture(autouse=True)
def fake_channel():  # type: ignore[no-untyped-def]
    FakeChannel.script = []
    FakeChannel.sent = []
    return FakeChannel


@pytest.fixture
def ordering_shop(shop):  # type: ignore[no-untyped-def]
    connection = shop.connection
    connection.ordering_method = "fake"
    connection.ordering_settings = {"target": "x"}
    connection.save()
    user = shop.user
    user.email = "bea@example.org"
    user.save()
    admin = UserFactory(email="ada@example.org")
    MembershipFactory(user=admin, organization=shop.organization, role=Role.ADMINISTRATOR)
    return shop


@pytest.fixture
def buyer(ordering_shop) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(ordering_shop.user)
    return client


def fill_cart(client: Client, supplier_id: int, lines: list[dict[str, str]] | None = None) -> None:
    _, hook_path = start_punchout(client, supplier_id)
    body = encode_cart_body(
        lines or [line(1, PRICE="10.00", QUANTITY="2"), line(2, PRICE="4.50", PRICEUNIT="100", QUANTITY="500")]
    )
    assert post_cart(hook_path, body).status_code == 303


def membership_of(user) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=user)
