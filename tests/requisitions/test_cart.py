"""The cart: quantity edit, remove, totals per currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ocilink.protocols.oci import encode_cart_body
from ocilink.requisitions.models import OrderRequestLine
from tests.punchout.helpers import line, post_cart, start_punchout

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(shop):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(shop.user)
    _, hook_path = start_punchout(client, shop.supplier.pk)
    post_cart(
        hook_path,
        encode_cart_body(
            [line(1, PRICE="10.00", QUANTITY="2"), line(2, PRICE="3.00", CURRENCY="USD"), line(3, PRICE="1.50")]
        ),
    )
    return client


def test_totals_are_per_currency(filled):
    response = filled.get(reverse("requisitions:cart"))

    assert response.context["cart"].totals == {"EUR": Decimal("23.00"), "USD": Decimal("6.00")}


def test_quantity_edit_changes_the_amount(filled):
    target = OrderRequestLine.objects.get(position=1)

    filled.post(reverse("requisitions:line_update", args=[target.pk]), {"quantity": "5"})

    target.refresh_from_db()
    assert target.quantity == Decimal(5)
    assert target.net_amount == Decimal("50.00")


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.2345", "123456789012"])
def test_a_bad_quantity_is_refused_with_a_message(filled, bad):
    target = OrderRequestLine.objects.get(position=1)

    response = filled.post(reverse("requisitions:line_update", args=[target.pk]), {"quantity": bad}, follow=True)

    target.refresh_from_db()
    assert target.quantity == Decimal(2)
    assert list(response.context["messages"])


def test_remove_drops_the_line(filled):
    target = OrderRequestLine.objects.get(position=2)

    filled.post(reverse("requisitions:line_remove", args=[target.pk]))

    assert list(OrderRequestLine.objects.values_list("position", flat=True).order_by("position")) == [1, 3]


def test_lines_of_another_buyer_cannot_be_changed(filled, other_shop):
    target = OrderRequestLine.objects.get(position=1)
    intruder = Client()
    intruder.force_login(other_shop.user)

    intruder.post(reverse("requisitions:line_update", args=[target.pk]), {"quantity": "99"})
    intruder.post(reverse("requisitions:line_remove", args=[target.pk]))

    target.refresh_from_db()
    assert target.quantity == Decimal(2)
