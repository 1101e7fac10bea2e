"""Parsing rules of parse_cart: description, service, units, lengths, names, indices, long text, messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocilink.protocols.oci import parse_cart

from .helpers import line, one, post, problems

# --- leadtime, service, description --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "days", "warned"),
    [
        ("5", 5, False),
        ("0", 0, False),
        (" 7 ", 7, False),
        ("-1", None, True),
        ("2.5", None, True),
        ("soon", None, True),
    ],
)
def test_leadtime(raw: str, days: int | None, warned: bool) -> None:
    item, cart = one(LEADTIME=raw)
    assert cart.ok
    assert item.leadtime_days == days
    assert bool(problems(cart.warnings, "LEADTIME")) is warned


@pytest.mark.parametrize(("raw", "service", "warned"), [("X", True, False), ("x", True, False), (" X ", True, True),
                                                        ("1", False, True), ("yes", False, True)])  # fmt: skip
def test_service_flag(raw: str, service: bool, warned: bool) -> None:
    item, cart = one(SERVICE=raw)
    assert item.service is service
    assert bool(problems(cart.warnings, "SERVICE")) is warned  # " X " is too long: SAP would keep " "


def test_service_absent() -> None:
    item, _ = one()
    assert item.service is False


def test_description_or_matnr_required() -> None:
    item, cart = one(DESCRIPTION="")
    [error] = cart.errors
    assert (error.line, error.field) == (1, "DESCRIPTION")
    assert "NEW_ITEM-MATNR[1]" in error.message
    item, cart = one(DESCRIPTION="", MATNR="100-200")
    assert cart.ok
    assert item.matnr == "100-200"
    assert item.description is None


# --- units (oci.md §2.4) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "canonical"),
    [("PCE", "H87"), ("EA", "H87"), ("ST", "H87"), ("stk", "H87"), ("Stück", "H87"), ("C62", "C62"),
     ("H87", "H87"), ("KG", "KGM"), ("m", "MTR"), ("L", "LTR"), ("BOX", "BX"), ("pak", "PK"), ("PR", "PR"),
     ("M2", "MTK"), ("M3", "MTQ"), ("set", "SET"), (" KGM ", "KGM")],
)  # fmt: skip
def test_unit_aliases(received: str, canonical: str) -> None:
    item, cart = one(UNIT=received)
    assert item.unit == canonical
    assert item.unit_received == received
    assert not problems(cart.warnings, "UNIT")


def test_unknown_unit_is_kept_with_a_warning() -> None:
    item, cart = one(UNIT=" BUNDLE ")
    assert cart.ok
    assert item.unit == "BUNDLE"
    assert item.unit_received == " BUNDLE "
    [warning] = problems(cart.warnings, "UNIT")
    assert warning.line == 1
    assert '" BUNDLE "' in warning.message


def test_connection_unit_map_wins_case_insensitively() -> None:
    cart = post(*line(UNIT="pce"), *line(2, UNIT="Bund"), unit_map={"PCE": "C62", "bund": "BD1"})
    assert [item.unit for item in cart.lines] == ["C62", "BD1"]
    assert not problems(cart.warnings, "UNIT")


def test_missing_unit_is_a_warning() -> None:
    item, cart = one(UNIT="")
    assert cart.ok
    assert item.unit is None
    assert item.unit_received is None
    [warning] = problems(cart.warnings, "UNIT")
    assert "SAP requires a unit" in warning.message


# --- lengths ------------------------------------------------------------------------------


def test_long_field_is_kept_whole_with_a_warning() -> None:
    text = "Sehr lange Artikelbezeichnung mit vielen Details und Zusatzangaben"
    item, cart = one(DESCRIPTION=text, VENDOR="12345678901")
    assert cart.ok
    assert item.description == text
    assert item.vendor == "12345678901"
    assert {p.field for p in cart.warnings} == {"DESCRIPTION", "VENDOR"}
    message = problems(cart.warnings, "DESCRIPTION")[0].message
    assert f"{len(text)} characters" in message
    assert "40" in message


def test_longtext_and_quantity_have_no_length_warning() -> None:
    cart = post(*line(QUANTITY="00000000000001.000"), ("NEW_ITEM-LONGTEXT_1:132[]", "x" * 5000))
    assert cart.ok
    assert not cart.warnings
    assert cart.lines[0].longtext == "x" * 5000


# --- names, indices, empty values (oci.md §2.1, §3.4) ---------------------------------------


def test_names_are_case_insensitive() -> None:
    cart = post(("new_item-description[1]", "Pen"), ("New_Item-Quantity[1]", "2"), ("NEW_ITEM-unit[1]", "H87"))
    assert cart.ok
    assert cart.lines[0].description == "Pen"
    assert cart.lines[0].quantity == Decimal(2)
    assert set(cart.lines[0].fields) == {"DESCRIPTION", "QUANTITY", "UNIT"}


def test_indices_zero_based_and_with_gaps_are_ordered_numerically() -> None:
    cart = post(*line(10), *line(0), *line(3), *line(2))
    assert [item.index for item in cart.lines] == [0, 2, 3, 10]


def test_leading_zero_index_is_the_same_line() -> None:
    cart = post(("NEW_ITEM-DESCRIPTION[01]", "Pen"), ("NEW_ITEM-QUANTITY[1]", "2"), ("NEW_ITEM-UNIT[ 1 ]", "H87"))
    assert [item.index for item in cart.lines] == [1]
    assert cart.ok
    assert cart.lines[0].unit == "H87"


def test_empty_values_count_as_absent() -> None:
    item, cart = one(VENDORMAT="", MATGROUP="   ", CUST_FIELD1="")
    assert item.vendormat is None
    assert item.matgroup is None
    assert item.cust_field1 is None
    assert "VENDORMAT" not in item.fields
    assert "MATGROUP" not in item.fields


def test_line_with_only_empty_values_is_ignored_with_a_warning() -> None:
    cart = post(*line(1), ("NEW_ITEM-DESCRIPTION[2]", ""), ("NEW_ITEM-QUANTITY[2]", ""))
    assert [item.index for item in cart.lines] == [1]
    [warning] = cart.warnings
    assert (warning.line, warning.field) == (2, None)


def test_field_without_index_is_a_warning() -> None:
    cart = post(*line(1), ("NEW_ITEM-DESCRIPTION", "orphan"), ("NEW_ITEM-PRICE[x]", "1"), ("NEW_ITEM-[1]", "?"))
    assert cart.ok
    assert len(cart.lines) == 1
    assert sorted((p.field or "") for p in cart.warnings) == ["", "DESCRIPTION", "PRICE"]
    assert {p.line for p in cart.warnings} == {None}
    assert '"orphan"' in cart.warnings[0].message
    assert "NEW_ITEM-DESCRIPTION[n]" in cart.warnings[0].message


def test_duplicate_field_last_value_wins_with_a_warning() -> None:
    cart = post(*line(1), ("NEW_ITEM-DESCRIPTION[1]", "Second"))
    assert cart.lines[0].description == "Second"
    [warning] = cart.warnings
    assert (warning.line, warning.field) == (1, "DESCRIPTION")


def test_unknown_fields_go_to_extra() -> None:
    cart = post(*line(1), ("NEW_ITEM-ext_custom_option[1]", "red"), ("NEW_ITEM-URL[1]", "https://x.example"))
    assert cart.ok
    assert not cart.warnings
    assert cart.lines[0].extra == {"EXT_CUSTOM_OPTION": "red", "URL": "https://x.example"}
    assert "URL" not in cart.lines[0].fields


def test_underscore_prefix_goes_to_extra() -> None:
    cart = post(*line(1), ("NEW_ITEM_CERT[1]", "CE"), ("NEW_ITEM_VENDORMAT[1]", "V-1"))
    item = cart.lines[0]
    assert item.extra == {"CERT": "CE", "VENDORMAT": "V-1"}
    assert item.vendormat is None
    [warning] = cart.warnings
    assert (warning.line, warning.field) == (1, "VENDORMAT")


def test_non_item_fields_are_listed_as_ignored() -> None:
    cart = post(
        ("~OkCode", "ADDI"), *line(1), ("~TARGET", "_top"), ("~OkCode", "ADDI"), ("ITEM-TIERED_PRICING[1]", "1")
    )
    assert cart.ignored_fields == ("~OkCode", "~TARGET", "ITEM-TIERED_PRICING[1]")


def test_empty_cart_is_an_error() -> None:
    cart = post(("~OkCode", "ADDI"))
    assert not cart.ok
    assert cart.lines == ()
    [error] = cart.errors
    assert (error.line, error.field) == (None, None)
    assert error.message.startswith("The webshop sent an empty cart: no NEW_ITEM fields were received.") or (
        error.message.startswith("The webshop sent an empty cart: no NEW_ITEM fields were received (only")
    )
    assert (
        parse_cart(b"")
        .errors[0]
        .message.startswith("The webshop sent an empty cart: no NEW_ITEM fields were received.")
    )


def test_dependent_fields_warn() -> None:
    _, cart = one(CONTRACT_ITEM="10", EXT_QUOTE_ITEM="1", EXT_CATEGORY_ID="44122104")
    assert {p.field for p in cart.warnings} == {"CONTRACT_ITEM", "EXT_QUOTE_ITEM", "EXT_CATEGORY_ID"}
    _, cart = one(CONTRACT="4711", CONTRACT_ITEM="10", EXT_SCHEMA_TYPE="UNSPSC", EXT_CATEGORY_ID="44122104")
    assert not cart.warnings


def test_all_text_attributes_are_filled() -> None:
    names = ["VENDOR", "VENDORMAT", "MANUFACTCODE", "MANUFACTMAT", "MATGROUP", "CONTRACT", "CONTRACT_ITEM",
             "EXT_QUOTE_ID", "EXT_QUOTE_ITEM", "EXT_PRODUCT_ID", "ATTACHMENT", "ATTACHMENT_TITLE", "ATTACHMENT_PURPOSE",
             "EXT_SCHEMA_TYPE", "EXT_CATEGORY_ID", "EXT_CATEGORY", "SLD_SYS_NAME", "CUST_FIELD1", "CUST_FIELD2",
             "CUST_FIELD3", "CUST_FIELD4", "CUST_FIELD5", "ITEM_TYPE", "PARENT_ID", "MATNR"]  # fmt: skip
    item, _ = one(**{name: name[:1] for name in names})
    for name in names:
        assert getattr(item, name.lower()) == name[:1], name
        assert item.fields[name] == name[:1]


# --- long text (oci.md §2.5) ---------------------------------------------------------------


def test_longtext_single_value() -> None:
    cart = post(*line(1), ("NEW_ITEM-LONGTEXT_1:132[]", "Zeile 1\nZeile 2"))
    assert cart.lines[0].longtext == "Zeile 1\nZeile 2"
    assert cart.lines[0].fields["LONGTEXT"] == "Zeile 1\nZeile 2"


def test_longtext_132_char_pieces_are_joined_without_separator() -> None:
    cart = post(*line(1), *[("NEW_ITEM-LONGTEXT_1:132[]", piece) for piece in ("a" * 132, "b" * 132, "c")])
    assert cart.lines[0].longtext == "a" * 132 + "b" * 132 + "c"


def test_longtext_short_pieces_are_joined_with_newlines() -> None:
    cart = post(*line(1), ("NEW_ITEM-LONGTEXT_1:132[]", "one"), ("NEW_ITEM-LONGTEXT_1:132[]", "two"))
    assert cart.lines[0].longtext == "one\ntwo"


def test_longtext_bracket_variant_and_case() -> None:
    cart = post(*line(2), ("new_item-longtext[2]", "text"), *line(3), ("NEW_ITEM-LongText_3:132[]", "three"))
    assert [item.longtext for item in cart.lines] == ["text", "three"]


def test_longtext_zero_based() -> None:
    cart = post(*line(0), ("NEW_ITEM-LONGTEXT_0:132[]", "zero"))
    assert cart.lines[0].index == 0
    assert cart.lines[0].longtext == "zero"


def test_longtext_is_unescaped_once() -> None:
    cart = post(*line(1), ("NEW_ITEM-LONGTEXT_1:132[]", "&lt;b&gt; &amp;amp; &#228;"))
    assert cart.lines[0].longtext == "<b> &amp; ä"


def test_empty_longtext_is_absent() -> None:
    cart = post(*line(1), ("NEW_ITEM-LONGTEXT_1:132[]", ""), ("NEW_ITEM-LONGTEXT_1:132[]", " "))
    assert cart.lines[0].longtext is None
    assert "LONGTEXT" not in cart.lines[0].fields


# --- messages -------------------------------------------------------------------------------


def test_messages_name_line_field_and_shortened_value() -> None:
    value = "1,5" + "0" * 200
    cart = post(*line(7, QUANTITY="1.5x" + "0" * 200, PRICE=value))
    for problem in (*cart.errors, *cart.warnings):
        assert problem.line == 7
        assert problem.message.startswith("Line 7: ")
        assert "the supplier must" in problem.message
    quantity = problems(cart.errors, "QUANTITY")[0].message
    assert "NEW_ITEM-QUANTITY[7]" in quantity
    quoted = quantity.split(" is ", 1)[1].split('"')[1]
    assert len(quoted) == 60
    assert quoted.endswith("…")


def test_messages_escape_control_characters() -> None:
    cart = post(*line(1, QUANTITY="1\n2"))
    message = cart.errors[0].message
    assert "\n" not in message
    assert "\\x0a" in message


def test_every_message_is_one_line() -> None:
    cart = post(*line(1, QUANTITY="", CURRENCY="eu\nr", UNIT="X\tY", DESCRIPTION="x" * 100), ("NEW_ITEM-A\nB", "v"))
    for problem in (*cart.errors, *cart.warnings):
        assert "\n" not in problem.message
        assert problem.message.endswith(".")


@pytest.mark.parametrize("index", ["1a", "", "１", "1234567890", "-1", "1.0"])
def test_invalid_index_digits_are_warnings(index: str) -> None:
    cart = post(*line(1), (f"NEW_ITEM-PRICE[{index}]", "9.99"), (f"NEW_ITEM-VENDORMAT[{index}]", "V"))
    assert len(cart.lines) == 1
    assert cart.lines[0].unit_price == Decimal("2.00")
    assert sorted(p.field or "" for p in cart.warnings) == ["PRICE", "VENDORMAT"]
    assert all(p.line is None and f"[{index}]" in p.message for p in cart.warnings)


def test_index_with_blanks_is_accepted() -> None:
    cart = post(("NEW_ITEM-DESCRIPTION[ 2 ]", "Pen"), ("NEW_ITEM-QUANTITY[2]", "1"), ("NEW_ITEM-UNIT[02]", "H87"))
    assert [item.index for item in cart.lines] == [2]
    assert cart.ok
    assert not cart.warnings
