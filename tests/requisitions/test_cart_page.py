"""The cart page's rows: built once per page where they are the same, and the same HTML as a template would give."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import translation

from ocilink.protocols.oci import encode_cart_body
from ocilink.requisitions.models import OrderRequestLine
from ocilink.requisitions.templatetags.cart_lines import AccountOptions, LocalNumbers
from ocilink.suppliers.models import LedgerAccount
from tests.factories import CostCentreFactory
from tests.punchout.helpers import line, post_cart, start_punchout

pytestmark = pytest.mark.django_db

_CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="'


@pytest.fixture(autouse=True)
def _english_afterwards(settings):  # type: ignore[no-untyped-def]
    yield
    # A Dutch request leaves Dutch active in this thread (the locale middleware does not switch back).
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def accounts(shop):  # type: ignore[no-untyped-def]
    office = LedgerAccount.objects.create(organization=shop.organization, code="4000", name="Office & <supplies>")
    ict = LedgerAccount.objects.create(organization=shop.organization, code="4100", name="ICT")
    return office, ict


def _cart(shop, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(shop.user)
    _, hook_path = start_punchout(client, shop.supplier.pk)
    body = encode_cart_body(
        [
            line(1, PRICE="4.50", PRICEUNIT="100", QUANTITY="1.5", LONGTEXT="Mesh <back>"),
            line(2, PRICE="", CURRENCY=""),
            line(3, PRICE="1234.5678", QUANTITY="1000"),
        ]
    )
    assert post_cart(hook_path, body).status_code == 303
    return client


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-line="\d+">.*?</tr>', page, re.S)


def test_every_row_has_its_three_forms_with_the_csrf_field(shop, accounts):
    office, ict = accounts
    client = _cart(shop)
    lines = list(OrderRequestLine.objects.order_by("position"))
    OrderRequestLine.objects.filter(pk=lines[0].pk).update(ledger_account=ict)

    page = client.get(reverse("requisitions:cart")).content.decode()

    rows = _rows(page)
    assert len(rows) == 3
    for row, cart_line in zip(rows, lines, strict=True):
        assert f'<tr data-line="{cart_line.pk}">' in row
        assert f'action="{reverse("requisitions:line_update", args=[cart_line.pk])}"' in row
        assert f'action="{reverse("requisitions:line_remove", args=[cart_line.pk])}"' in row
        assert f'action="{reverse("requisitions:line_account", args=[cart_line.pk])}"' in row
        assert row.count(_CSRF) == 3
        assert 'aria-label="Quantity"' in row
        assert 'aria-label="Ledger account"' in row
    assert f'<option value="{ict.pk}" selected>4100 ICT</option>' in rows[0]
    assert f'<option value="{office.pk}">4000 Office &amp; &lt;supplies&gt;</option>' in rows[0]
    assert '<option value="" selected disabled>Choose a ledger account</option>' in rows[1]
    assert " selected>" not in rows[1].replace("selected disabled>", "")
    assert "Mesh &lt;back&gt;" in rows[0]
    assert 'value="1.5"' in rows[0]
    assert "EUR 4.5 / 100" in rows[0]
    assert '<span class="warning">no price</span>' in rows[1]
    assert "EUR 1234.5678" in rows[2]


def test_the_cost_centre_is_asked_only_when_the_organization_has_an_active_one(shop, other_shop):
    client = _cart(shop)
    url = reverse("requisitions:cart")
    CostCentreFactory(organization=shop.organization, is_active=False)
    CostCentreFactory(organization=other_shop.organization)

    without = client.get(url).content.decode()
    active = CostCentreFactory(organization=shop.organization, code="K-100", name="Facilities")
    with_one = client.get(url).content.decode()

    assert 'id="submit-order"' in without
    assert 'name="cost_centre"' not in without
    select = re.search(r'<select name="cost_centre".*?</select>', with_one, re.S)
    assert select is not None
    assert re.findall(r'<option value="([^"]*)"', select.group()) == ["", str(active.pk)]  # "(none)" and the active one
    assert f'<option value="{active.pk}">K-100 Facilities</option>' in select.group()


def test_a_dutch_buyer_gets_dutch_labels_and_numbers(shop, accounts):
    client = _cart(shop, "nl")

    page = client.get(reverse("requisitions:cart")).content.decode()

    rows = _rows(page)
    assert 'aria-label="Aantal"' in rows[0]
    assert 'value="1,5"' in rows[0]
    assert "EUR 4,5 / 100" in rows[0]
    assert "EUR 0,07" in rows[0]
    assert "EUR 1234,5678" in rows[2]
    assert "EUR 1234567,80" in rows[2]


def test_the_urls_follow_the_script_prefix_of_each_request(shop, accounts):
    client = _cart(shop)
    cart_line = OrderRequestLine.objects.order_by("position").first()
    assert cart_line is not None
    url = reverse("requisitions:cart")

    with override_script_prefix("/procurement/"):
        prefixed = client.get(url).content.decode()
    plain = client.get(url).content.decode()

    assert f'action="/procurement/cart/lines/{cart_line.pk}/quantity/"' in prefixed
    assert f'action="/cart/lines/{cart_line.pk}/quantity/"' in plain


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize(
    "value",
    [0, 7, 123456789, Decimal("0"), Decimal("1.5"), Decimal("-2.25"), Decimal("1E+3"), Decimal("1234567.80")],
)
def test_numbers_are_shown_as_a_template_shows_them(value, language):
    with translation.override(language):
        context = Context({"value": value})
        expected = Template("{{ value }}").render(context)

        assert LocalNumbers(context)(value) == expected


def test_numbers_fall_back_to_django_when_digits_are_grouped(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("nl"):
        context = Context({"value": Decimal("1234567.80")})

        assert LocalNumbers(context)(Decimal("1234567.80")) == Template("{{ value }}").render(context) == "1.234.567,80"


def test_account_options_mark_only_the_chosen_account():
    class Account:
        def __init__(self, pk: int, code: str, name: str) -> None:
            self.pk, self.code, self.name = pk, code, name

    options = AccountOptions([Account(1, "4000", 'Quote " <b>'), Account(2, "4100", "ICT")])

    assert options.html(2) == (
        '<option value="1">4000 Quote &quot; &lt;b&gt;</option><option value="2" selected>4100 ICT</option>'
    )
    assert (
        options.html(None)
        == options.html(99)
        == ('<option value="1">4000 Quote &quot; &lt;b&gt;</option><option value="2">4100 ICT</option>')
    )
