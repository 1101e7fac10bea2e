"""The public tables (fields, units, currencies) and the encoder."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from ocilink.protocols.oci import (
    DEFAULT_UNIT_ALIASES,
    FIELDS,
    FIELDS_BY_NAME,
    ISO_4217_CODES,
    REC20_UNITS,
    OciLine,
    cart_report,
    encode_cart_body,
    encode_cart_fields,
    parse_cart,
)
from ocilink.protocols.oci.fields import wire_name
from ocilink.protocols.oci.model import new_line
from ocilink.protocols.oci.units import normalize_unit_map, resolve_unit

OCI_40 = ["DESCRIPTION", "MATNR", "QUANTITY", "UNIT", "PRICE", "CURRENCY", "PRICEUNIT", "LEADTIME", "LONGTEXT",
          "VENDOR", "VENDORMAT", "MANUFACTCODE", "MANUFACTMAT", "MATGROUP", "SERVICE", "CONTRACT", "CONTRACT_ITEM",
          "EXT_QUOTE_ID", "EXT_QUOTE_ITEM", "EXT_PRODUCT_ID", "ATTACHMENT", "ATTACHMENT_TITLE", "ATTACHMENT_PURPOSE",
          "EXT_SCHEMA_TYPE", "EXT_CATEGORY_ID", "EXT_CATEGORY", "SLD_SYS_NAME", "CUST_FIELD1", "CUST_FIELD2",
          "CUST_FIELD3", "CUST_FIELD4", "CUST_FIELD5"]  # fmt: skip


def test_field_table_covers_oci_4_and_5() -> None:
    assert [f.name for f in FIELDS] == [*OCI_40, "ITEM_TYPE", "PARENT_ID"]
    assert set(FIELDS_BY_NAME) == {f.name for f in FIELDS}
    assert {f.name for f in FIELDS if f.since == "5.0"} == {"ITEM_TYPE", "PARENT_ID"}
    assert {f.name for f in FIELDS if f.numeric} == {"QUANTITY", "PRICE", "PRICEUNIT", "LEADTIME"}
    assert {f.name for f in FIELDS if f.max_length is None} == {"LONGTEXT", "ITEM_TYPE", "PARENT_ID"}
    for field in FIELDS:
        assert field.description.endswith(".")
        assert "\n" not in field.description


@pytest.mark.parametrize(
    ("name", "length"),
    [("DESCRIPTION", 40), ("MATNR", 40), ("QUANTITY", 15), ("UNIT", 3), ("PRICE", 15), ("CURRENCY", 5),
     ("PRICEUNIT", 5), ("LEADTIME", 5), ("VENDOR", 10), ("MATGROUP", 10), ("SERVICE", 1), ("EXT_QUOTE_ID", 35),
     ("ATTACHMENT", 255), ("EXT_CATEGORY_ID", 60), ("CUST_FIELD4", 20), ("CUST_FIELD5", 50)],
)  # fmt: skip
def test_field_lengths_follow_the_reference(name: str, length: int) -> None:
    assert FIELDS_BY_NAME[name].max_length == length


def test_field_attributes_exist_on_oci_line() -> None:
    attributes = {f.name for f in dataclasses.fields(OciLine)}
    for field in FIELDS:
        assert field.attribute in attributes, field


def test_wire_names() -> None:
    assert wire_name("PRICE", 3) == "NEW_ITEM-PRICE[3]"
    assert FIELDS_BY_NAME["LONGTEXT"].wire_name(0) == "NEW_ITEM-LONGTEXT_0:132[]"


def test_unit_tables() -> None:
    assert set(DEFAULT_UNIT_ALIASES.values()) <= set(REC20_UNITS)
    assert not set(DEFAULT_UNIT_ALIASES) & set(REC20_UNITS)
    assert all(key == key.upper() for key in DEFAULT_UNIT_ALIASES)
    assert DEFAULT_UNIT_ALIASES["PCE"] == DEFAULT_UNIT_ALIASES["EA"] == DEFAULT_UNIT_ALIASES["STK"] == "H87"
    assert "C62" in REC20_UNITS
    assert "C62" not in DEFAULT_UNIT_ALIASES


def test_resolve_unit() -> None:
    umap = normalize_unit_map({" ea ": "EA", "": "X", "Y": " "})
    assert umap == {"EA": "EA"}
    assert resolve_unit("ea", umap) == "EA"
    assert resolve_unit("pce", umap) == "H87"
    assert resolve_unit("mtr", umap) == "MTR"
    assert resolve_unit("furlong", umap) is None
    assert resolve_unit("  ", umap) is None


def test_currencies() -> None:
    assert {"EUR", "USD", "CHF", "GBP", "SEK", "PLN", "JPY"} <= ISO_4217_CODES
    assert not {"HRK", "DEM", "EURO", "eur"} & ISO_4217_CODES
    assert all(len(code) == 3 and code.isupper() for code in ISO_4217_CODES)


def test_encode_cart_fields_names_and_escaping() -> None:
    pairs = encode_cart_fields(
        [{"description": "Pen", "QUANTITY": "2", "LONGTEXT": "a < b & c"}, {"DESCRIPTION": "Ink", "URL": "u"}],
        start_index=0,
    )
    assert pairs == [
        ("NEW_ITEM-DESCRIPTION[0]", "Pen"),
        ("NEW_ITEM-QUANTITY[0]", "2"),
        ("NEW_ITEM-LONGTEXT_0:132[]", "a &lt; b &amp; c"),
        ("NEW_ITEM-DESCRIPTION[1]", "Ink"),
        ("NEW_ITEM-URL[1]", "u"),
    ]
    with pytest.raises(ValueError, match="start_index"):
        encode_cart_fields([], start_index=-1)


def test_encode_oci_lines() -> None:
    line = OciLine(index=9, description="Pen", quantity=Decimal("2.5"), unit="H87", unit_received="PCE",
                   unit_price=Decimal("1.20"), price_unit=Decimal(10), currency="EUR", leadtime_days=3, service=True,
                   longtext="x & y", extra={"url": "u"})  # fmt: skip
    assert dict(encode_cart_fields([line])) == {
        "NEW_ITEM-DESCRIPTION[1]": "Pen",
        "NEW_ITEM-QUANTITY[1]": "2.5",
        "NEW_ITEM-UNIT[1]": "PCE",
        "NEW_ITEM-PRICE[1]": "1.20",
        "NEW_ITEM-CURRENCY[1]": "EUR",
        "NEW_ITEM-PRICEUNIT[1]": "10",
        "NEW_ITEM-LEADTIME[1]": "3",
        "NEW_ITEM-LONGTEXT_1:132[]": "x &amp; y",
        "NEW_ITEM-SERVICE[1]": "X",
        "NEW_ITEM-URL[1]": "u",
    }


def test_encode_cart_body_charsets() -> None:
    lines = [{"DESCRIPTION": "Größe", "QUANTITY": "1"}]
    assert b"Gr%C3%B6%C3%9Fe" in encode_cart_body(lines)
    latin = encode_cart_body(lines, charset="latin-1")
    assert b"Gr%F6%DFe" in latin
    assert parse_qsl(latin.decode("ascii"), encoding="latin-1")[0] == ("NEW_ITEM-DESCRIPTION[1]", "Größe")
    with pytest.raises(UnicodeEncodeError):
        encode_cart_body([{"DESCRIPTION": "€"}], charset="latin-1")


def test_report_shape_and_decimal_strings() -> None:
    cart = parse_cart(encode_cart_body([{"DESCRIPTION": "Pen", "QUANTITY": "0.5", "UNIT": "PCE", "PRICE": "1E+2"},
                                        {"DESCRIPTION": "Ink", "QUANTITY": "12", "UNIT": "H87", "PRICE": "0.10",
                                         "CURRENCY": "EUR", "PRICEUNIT": "100"}]))  # fmt: skip
    report = cart_report(cart)
    assert list(report) == ["ok", "charset", "lines", "errors", "warnings"]
    lines = report["lines"]
    assert isinstance(lines, list)
    keys = ["index", "description", "quantity", "unit", "unit_price", "price_unit", "currency", "net_amount",
            "vendormat", "matgroup", "leadtime_days", "longtext", "fields", "extra"]  # fmt: skip
    assert list(lines[0]) == keys
    assert (lines[0]["quantity"], lines[0]["unit_price"], lines[0]["price_unit"]) == ("0.500", None, "1")
    assert (lines[1]["quantity"], lines[1]["unit_price"], lines[1]["price_unit"], lines[1]["net_amount"]) == (
        "12.000", "0.10", "100", "0.01")  # fmt: skip
    assert report["errors"] == [{"line": 1, "field": "PRICE", "message": cart.errors[0].message}]


def test_parser_lines_equal_constructed_lines_and_are_frozen() -> None:
    values: dict[str, object] = {"index": 3, "description": "Pen", "quantity": Decimal(2), "fields": {}, "extra": {}}
    fast = new_line(values)
    assert fast == OciLine(index=3, description="Pen", quantity=Decimal(2))
    assert fast.price_unit == Decimal(1)
    assert fast.service is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.description = "Ink"  # type: ignore[misc]
    assert hash(fast) == hash(OciLine(index=3, description="Pen", quantity=Decimal(2)))
