"""Numbers, prices, currencies and price units (oci.md §2.2, §2.3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocilink.protocols.oci import Problem
from ocilink.protocols.oci.lines import parse_number

from .helpers import line, one, post, problems

# --- numbers (oci.md §2.3) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "kind"),
    [
        ("12.50", Decimal("12.50"), "ok"),
        (" 3 ", Decimal(3), "ok"),
        ("+3", Decimal(3), "ok"),
        (".5", Decimal("0.5"), "ok"),
        ("5.", Decimal(5), "ok"),
        ("12,50", Decimal("12.50"), "comma"),
        ("1,234", Decimal("1.234"), "comma"),
        ("1.234,50", None, "mixed"),
        ("1,234.50", None, "mixed"),
        ("1.234.50", None, "several"),
        ("1,2,3", None, "several"),
        ("abc", None, "invalid"),
        ("", None, "invalid"),
        ("1e3", None, "invalid"),
        ("NaN", None, "invalid"),
        ("Infinity", None, "invalid"),
        ("1 000", None, "invalid"),
        ("١٢", None, "invalid"),  # Arabic-Indic digits are not OCI numbers
        ("--1", None, "invalid"),
    ],
)
def test_parse_number(raw: str, value: Decimal | None, kind: str) -> None:
    parsed, parsed_kind, _ = parse_number(raw)
    assert parsed_kind == kind
    assert parsed == value


def test_comma_decimal_is_a_warning() -> None:
    item, cart = one(QUANTITY="2,5", PRICE="12,50")
    assert cart.ok
    assert item.quantity == Decimal("2.5")
    assert item.unit_price == Decimal("12.50")
    assert item.net_amount == Decimal("31.25")
    assert {p.field for p in cart.warnings} == {"QUANTITY", "PRICE"}
    message = problems(cart.warnings, "PRICE")[0].message
    assert 'NEW_ITEM-PRICE[1] is "12,50"' in message
    assert "dot as decimal separator" in message


@pytest.mark.parametrize("raw", ["1.234,50", "1,234.50", "1.234.567", "12 EUR", "1e2"])
def test_ambiguous_price_is_an_error(raw: str) -> None:
    item, cart = one(PRICE=raw)
    assert not cart.ok
    assert item.unit_price is None
    assert item.net_amount is None
    [error] = cart.errors
    assert (error.line, error.field) == (1, "PRICE")
    assert f'"{raw}"' in error.message
    assert "the supplier must" in error.message


@pytest.mark.parametrize(
    ("raw", "ok", "value"),
    [
        ("1", True, Decimal(1)),
        ("0.001", True, Decimal("0.001")),
        ("1.0000", True, Decimal(1)),  # trailing zeros are not significant
        ("00000000000012", True, Decimal(12)),  # nor are leading zeros
        ("99999999999.999", True, Decimal("99999999999.999")),
        ("100000000000", False, None),  # 12 integer digits
        ("1.0001", False, None),  # 4 decimals
        ("0", False, None),
        ("0.000", False, None),
        ("-1", False, None),
        ("", False, None),
        ("   ", False, None),
        ("x", False, None),
    ],
)
def test_quantity_rules(raw: str, ok: bool, value: Decimal | None) -> None:
    item, cart = one(QUANTITY=raw)
    assert cart.ok is ok
    assert item.quantity == value
    if not ok:
        assert [p.field for p in cart.errors] == ["QUANTITY"]
        assert cart.errors[0].line == 1


def test_quantity_missing_names_the_field() -> None:
    cart = post(("NEW_ITEM-DESCRIPTION[4]", "Pen"), ("NEW_ITEM-UNIT[4]", "H87"))
    [error] = cart.errors
    assert error == Problem(4, "QUANTITY", error.message)
    assert error.message.startswith("Line 4: NEW_ITEM-QUANTITY[4] is missing or empty")


# --- price, currency, price unit ---------------------------------------------------------


def test_price_needs_a_currency() -> None:
    item, cart = one(CURRENCY="")
    assert item.currency is None
    [error] = cart.errors
    assert (error.field, error.line) == ("CURRENCY", 1)
    assert '"2.00"' in error.message


def test_price_is_optional() -> None:
    item, cart = one(PRICE="", CURRENCY="")
    assert cart.ok
    assert not cart.warnings
    assert item.unit_price is None
    assert item.net_amount is None
    assert item.price_per_unit is None


@pytest.mark.parametrize("currency", ["EURO", "XYZ", "€", "HRK"])
def test_currency_must_be_iso_4217(currency: str) -> None:
    item, cart = one(CURRENCY=currency)
    [error] = cart.errors
    assert error.field == "CURRENCY"
    assert "ISO 4217" in error.message
    assert item.currency == currency


def test_invalid_currency_without_price_is_a_warning() -> None:
    item, cart = one(PRICE="", CURRENCY="EURO")
    assert cart.ok
    assert [p.field for p in cart.warnings] == ["CURRENCY"]


def test_lower_case_currency_is_upper_cased_with_a_warning() -> None:
    item, cart = one(CURRENCY="chf")
    assert cart.ok
    assert item.currency == "CHF"
    assert [p.field for p in cart.warnings] == ["CURRENCY"]
    assert item.fields["CURRENCY"] == "chf"


def test_negative_price_is_an_error() -> None:
    item, cart = one(PRICE="-1.00")
    assert item.unit_price is None
    assert [p.field for p in cart.errors] == ["PRICE"]
    assert "negative" in cart.errors[0].message


def test_zero_price_is_allowed() -> None:
    item, cart = one(PRICE="0.00")
    assert cart.ok
    assert item.net_amount == Decimal("0.00")


def test_price_with_too_many_integer_digits_is_an_error() -> None:
    item, cart = one(PRICE="123456789012")
    assert item.unit_price is None
    assert [p.field for p in cart.errors] == ["PRICE"]


def test_priceunit_applies() -> None:
    item, cart = one(QUANTITY="250", PRICE="1250.00", PRICEUNIT="100")
    assert cart.ok
    assert item.price_unit == Decimal(100)
    assert item.net_amount == Decimal("3125.00")
    assert item.price_per_unit == Decimal("12.5")


def test_empty_priceunit_means_one() -> None:
    item, _ = one(PRICEUNIT="")
    assert item.price_unit == Decimal(1)
    assert "PRICEUNIT" not in item.fields


@pytest.mark.parametrize("raw", ["0", "-5", "abc", "1.2345", "1234567890"])
def test_bad_priceunit_is_an_error(raw: str) -> None:
    item, cart = one(PRICEUNIT=raw)
    assert [p.field for p in cart.errors] == ["PRICEUNIT"]
    assert item.price_unit == Decimal(1)
    assert item.net_amount is None


def test_net_amount_rounds_half_up() -> None:
    item, _ = one(QUANTITY="1.5", PRICE="0.01")
    assert item.net_amount == Decimal("0.02")
    item, _ = one(QUANTITY="1", PRICE="0.125")
    assert item.net_amount == Decimal("0.13")
    item, _ = one(QUANTITY="3", PRICE="1", PRICEUNIT="7")
    assert item.net_amount == Decimal("0.43")


def test_mixed_currencies_warn_at_cart_level() -> None:
    cart = post(*line(1), *line(2, CURRENCY="USD"))
    assert cart.ok
    [warning] = cart.warnings
    assert (warning.line, warning.field) == (None, "CURRENCY")
    assert "EUR, USD" in warning.message
