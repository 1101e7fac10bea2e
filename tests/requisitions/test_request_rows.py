"""The request page's rows: built once per page where lines share something, and the same HTML as the template the
tag stands for would give (Django's template engine decides what "the same" is: escaping, numbers, dates, texts)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from ocilink.requisitions.selectors import LastPrice, LineView
from ocilink.requisitions.selectors.cart import PageLine
from ocilink.requisitions.templatetags.cart_lines import LocalNumbers
from ocilink.suppliers.models import LedgerAccount

# The rows as the request page's template wrote them, line by line, before the tag took over.
TEMPLATE = Template(
    """{% load i18n %}{% for view in lines %}{% with line=view.line %}
  <tr data-line="{{ line.pk }}"{% if view.flagged %} class="flagged"{% endif %}>
    <td>{{ line.position }}</td>
    <td class="origin small">{{ line.supplier_name }}
      {% if line.connection_id %}<div class="muted">{% blocktranslate with name=line.connection_name %}via {{ name }}{% endblocktranslate %}</div>{% endif %}
      {% if line.cart_return_id %}<div class="muted">{% if staff %}<a href="{% url 'punchout:return_detail' line.cart_return_reference %}">{{ line.cart_return_reference }}</a>{% else %}{{ line.cart_return_reference }}{% endif %} · {{ line.cart_return_received_at|date:"Y-m-d H:i" }}</div>
      {% else %}<div class="muted">{% translate "not from a punchout" %}</div>{% endif %}
    </td>
    <td>{{ line.vendormat }}{% if line.ledger_account %}<div class="muted small">{% blocktranslate with account=line.ledger_account %}booked to {{ account }}{% endblocktranslate %}</div>{% endif %}</td>
    <td class="description">{{ line.description }}
      {% if line.longtext %}<div class="longtext">{{ line.longtext }}</div>{% endif %}
      {% for warning in line.warnings %}<div class="warning small">{{ warning }}</div>{% endfor %}
      {% if view.missing_price %}<div class="warning flag" data-flag="missing_price">{% translate "No price: the webshop sent none." %}</div>{% endif %}
      {% if view.zero_price %}<div class="warning flag" data-flag="zero_price">{% translate "The price is 0." %}</div>{% endif %}
      {% if view.price_differs %}<div class="warning flag" data-flag="price_differs">{% blocktranslate with then_currency=view.last.currency then=view.last.per_unit|floatformat:4 now_currency=line.currency now=view.per_unit|floatformat:4 number=view.last.order_request_id %}The price differs from the last approved order of this article (request #{{ number }}): {{ then_currency }} {{ then }} per unit then, {{ now_currency }} {{ now }} now.{% endblocktranslate %}</div>{% endif %}
    </td>
    <td class="num">{{ line.quantity.normalize }} {{ line.unit }}</td>
    <td class="num">{% if line.unit_price is not None %}{{ line.currency }} {{ line.unit_price.normalize }}{% if line.price_unit != 1 %} / {{ line.price_unit.normalize }}{% endif %}{% endif %}</td>
    <td class="num">{% if line.net_amount is not None %}{{ line.currency }} {{ line.net_amount }}{% endif %}</td>
  </tr>
  {% endwith %}{% endfor %}"""  # noqa: E501 - the template as it was
)
TAG = Template("{% load request_lines %}{% request_line_rows lines staff %}")

RECEIVED = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 or 02:30 in Amsterdam: the night the clocks go forward
OFFICE = LedgerAccount(pk=7, code="4000", name="Office & <supplies>", is_active=True)
CLOSED = LedgerAccount(pk=8, code="4900", name="Closed", is_active=False)


def _line(pk: int, **values: Any) -> PageLine:
    shown: dict[str, Any] = {
        "ledger_account_id": None,
        "ledger_account": None,
        "pk": pk,
        "position": pk,
        "supplier_id": 1,
        "supplier_name": "Büro <Bedarf> & Co",
        "connection_id": 3,
        "connection_name": 'Shop "one"',
        "cart_return_id": 5,
        "cart_return_reference": "RT-ABCD2345",
        "cart_return_received_at": RECEIVED,
        "description": f"Paper clips <{pk}> & more",
        "quantity": Decimal("12.500"),
        "unit": "PCE",
        "unit_price": Decimal("4.5000"),
        "price_unit": Decimal("100.000"),
        "currency": "EUR",
        "vendormat": f"OF-{pk}",
        "longtext": "",
        "warnings": [],
        "ledger_code": "",
    }
    shown.update(values)
    if shown["ledger_account"] is not None:
        shown["ledger_account_id"] = shown["ledger_account"].pk
    return PageLine(**shown)


def _view(line: PageLine, last: LastPrice | None = None) -> LineView:
    differs = (
        last is not None
        and line.unit_price is not None
        and (last.currency != line.currency or last.per_unit != line.unit_price / line.price_unit)
    )
    return LineView(
        line=line,
        missing_price=line.unit_price is None,
        zero_price=line.unit_price is not None and line.unit_price == 0,
        last=last,
        price_differs=differs,
    )


def _views() -> list[LineView]:
    return [
        _view(_line(1, longtext='Mesh <back> & "seat"', ledger_account=OFFICE, ledger_code="4412")),
        _view(_line(2, ledger_account=CLOSED, warnings=["Unit <X> unknown", "second & last"])),
        _view(_line(3, unit_price=Decimal("0.0000")), LastPrice(41, Decimal("4.00"), Decimal("100"), "EUR")),
        _view(_line(4, unit_price=None, currency="", cart_return_id=None, cart_return_reference=None)),
        _view(_line(5, connection_id=None, connection_name=None, price_unit=Decimal(1), quantity=Decimal("1E+3"))),
        _view(_line(6, unit_price=Decimal("1234.5678")), LastPrice(42, Decimal("1234.5678"), Decimal("100"), "USD")),
        _view(_line(7, supplier_id=2, supplier_name="Other", cart_return_id=6, cart_return_reference="RT-OTHER234")),
        _view(_line(8, unit_price=Decimal("4.50")), LastPrice(43, Decimal("4.50"), Decimal("100"), "EUR")),  # same
        _view(_line(9, unit_price=Decimal("-0.00004"), price_unit=Decimal("1")), LastPrice(44, Decimal("2"), 1, "EUR")),
    ]


@pytest.mark.parametrize("staff", [False, True])
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_rows_are_the_html_the_template_gave(language, staff):
    views = _views()
    with translation.override(language):
        expected = TEMPLATE.render(Context({"lines": views, "staff": staff}))
        rows = TAG.render(Context({"lines": views, "staff": staff}))

    assert rows == expected
    assert rows.count('<tr data-line="') == len(views)
    assert rows.count("/punchout/returns/RT-ABCD2345/") == (7 if staff else 0)
    assert rows.count('data-flag="price_differs"') == 3
    assert "&lt;supplies&gt;" in rows


def test_lines_that_share_their_supplier_return_and_account_share_their_html():
    """What lines share (supplier, cart return, account) is rendered once and shown on each of them."""
    views = [_view(_line(n, ledger_account=OFFICE)) for n in (1, 2)]
    rows = TAG.render(Context({"lines": views, "staff": True}))

    assert rows.count("Büro &lt;Bedarf&gt; &amp; Co") == 2
    assert rows.count("booked to 4000 Office &amp; &lt;supplies&gt;") == 2
    assert rows.count('<a href="/punchout/returns/RT-ABCD2345/">RT-ABCD2345</a>') == 2


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize(
    "value",
    [
        Decimal("0.045"),
        Decimal("0.00005"),  # rounds half up to 0.0001
        Decimal("-0.00004"),  # rounds to zero: no minus
        Decimal("-12.34565"),
        Decimal("1E+3"),
        Decimal("12345678901234567890.12345"),  # 20 digits before the point
        Decimal("1E+25"),  # beyond: the filter itself
        Decimal("1E-250"),  # the filter's cut-off
        Decimal("NaN"),
        7,
        2.5,
    ],
)
def test_fixed_numbers_are_written_as_floatformat_writes_them(value, language):
    with translation.override(language):
        context = Context({"value": value})
        expected = Template("{{ value|floatformat:4 }}").render(context)

        assert LocalNumbers(context).fixed(value, 4) == expected


def test_fixed_numbers_fall_back_to_the_filter_when_digits_are_grouped(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("nl"):
        context = Context({"value": Decimal("1234567.8")})

        assert LocalNumbers(context).fixed(Decimal("1234567.8"), 4) == "1.234.567,8000"
        assert Template("{{ value|floatformat:4 }}").render(context) == "1.234.567,8000"
