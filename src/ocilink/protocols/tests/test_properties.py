"""Property tests: parse_cart never crashes, and encode -> parse round-trips."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qsl, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocilink.protocols.oci import (
    ISO_4217_CODES,
    REC20_UNITS,
    OciCart,
    OciError,
    build_punchout_fields,
    encode_cart_body,
    parse_cart,
)

CONTENT_TYPES = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=iso-8859-1",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=unicode_escape",
            "application/x-www-form-urlencoded; charset=idna",
            "text/plain; charset=klingon",
            "multipart/form-data",
            "multipart/form-data; boundary=XyZ",
            'multipart/form-data; boundary="XyZ"; charset=utf-8',
        ]
    ),
)
NAMES = st.one_of(
    st.sampled_from(
        [
            "NEW_ITEM-DESCRIPTION[1]",
            "NEW_ITEM-QUANTITY[1]",
            "NEW_ITEM-PRICE[0]",
            "NEW_ITEM-UNIT[2]",
            "NEW_ITEM-CURRENCY[1]",
            "NEW_ITEM-PRICEUNIT[1]",
            "NEW_ITEM-LEADTIME[1]",
            "NEW_ITEM-LONGTEXT_1:132[]",
            "NEW_ITEM-LONGTEXT[3]",
            "new_item-service[1]",
            "NEW_ITEM_X[1]",
            "NEW_ITEM-",
            "NEW_ITEM-A[999999999]",
            "_charset_",
            "~OkCode",
            "NEW_ITEM-QUANTITY[01]",
        ]  # fmt: skip
    ),
    st.text(max_size=20),
)
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["1", "0", "-1", "1,5", "1.234,5", "1e9", "NaN", "EUR", "eur", "PCE", "X", "&amp;", "9" * 50]),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=400), content_type=CONTENT_TYPES)
def test_any_bytes_give_a_cart_or_an_oci_error(body: bytes, content_type: str | None) -> None:
    try:
        cart = parse_cart(body, content_type)
    except OciError:
        return
    assert isinstance(cart, OciCart)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    pairs=st.lists(st.tuples(NAMES, VALUES), max_size=25),
    charset=st.sampled_from(["utf-8", "latin-1"]),
    content_type=CONTENT_TYPES,
    override=st.sampled_from([None, None, "utf-8", "latin-1", "cp1252"]),
)
def test_any_form_gives_a_cart_or_an_oci_error(
    pairs: list[tuple[str, str]], charset: str, content_type: str | None, override: str | None
) -> None:
    body = urlencode(pairs, encoding=charset, errors="replace").encode("ascii")
    try:
        cart = parse_cart(body, content_type, charset_override=override)
    except OciError:
        return
    assert isinstance(cart, OciCart)
    for problem in (*cart.errors, *cart.warnings):
        assert problem.message
        assert "\n" not in problem.message


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(
        st.tuples(NAMES, st.binary(max_size=20), st.sampled_from(["", "; charset=latin-1", "; x"])), max_size=8
    ),
    cut=st.integers(min_value=0, max_value=400),
    filename=st.booleans(),
)
def test_any_multipart_gives_a_cart_or_an_oci_error(
    parts: list[tuple[str, bytes, str]], cut: int, filename: bool
) -> None:
    body = b""
    for name, value, charset in parts:
        disposition = f'form-data; name="{name}"' + ('; filename="f"' if filename else "")
        body += f"--XyZ\r\nContent-Disposition: {disposition}\r\nContent-Type: text/plain{charset}\r\n\r\n".encode(
            "utf-8", "surrogateescape"
        )
        body += value + b"\r\n"
    body += b"--XyZ--\r\n"
    for candidate in (body, body[:cut]):
        try:
            cart = parse_cart(candidate, "multipart/form-data; boundary=XyZ")
        except OciError:
            continue
        assert isinstance(cart, OciCart)


# --- encode -> parse round trip ---------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), min_size=1, max_size=40).filter(
    lambda s: not s.isspace()
)
LONGTEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00\r"), min_size=1).filter(
    lambda s: not s.isspace() and all(ch == "\n" or ch == "\t" or ch >= " " for ch in s)
)
QUANTITIES = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999999999.999"), places=3)
PRICES = st.decimals(min_value=Decimal(0), max_value=Decimal("99999999999.99"), places=2)


@st.composite
def cart_lines(draw: st.DrawFn, currency: str = "EUR") -> dict[str, str]:
    fields = {
        "DESCRIPTION": draw(TEXT),
        "QUANTITY": format(draw(QUANTITIES), "f"),
        "UNIT": draw(st.sampled_from(sorted(REC20_UNITS))),
    }
    if draw(st.booleans()):
        fields["PRICE"] = format(draw(PRICES), "f")
        fields["CURRENCY"] = currency
        if draw(st.booleans()):
            fields["PRICEUNIT"] = str(draw(st.integers(min_value=1, max_value=99999)))
    if draw(st.booleans()):
        fields["LONGTEXT"] = draw(LONGTEXT)
    for name, size in (("VENDORMAT", 40), ("MATGROUP", 10), ("EXT_PRODUCT_ID", 40), ("CUST_FIELD5", 50)):
        if draw(st.booleans()):
            fields[name] = draw(TEXT)[:size]
    if draw(st.booleans()):
        fields["LEADTIME"] = str(draw(st.integers(min_value=0, max_value=99999)))
    if draw(st.booleans()):
        fields["SERVICE"] = "X"
    if draw(st.booleans()):
        fields["URL"] = draw(TEXT)
    return fields


CURRENCIES = st.sampled_from(sorted(ISO_4217_CODES))
ONE_CURRENCY_CARTS = CURRENCIES.flatmap(lambda code: st.lists(cart_lines(code), min_size=1, max_size=6))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(lines=ONE_CURRENCY_CARTS, start=st.sampled_from([0, 1]))
def test_encoded_lines_parse_back_equal(lines: list[dict[str, str]], start: int) -> None:
    cart = parse_cart(encode_cart_body(lines, start_index=start), "application/x-www-form-urlencoded")
    assert cart.ok, cart.errors
    assert cart.warnings == ()
    assert cart.charset == "utf-8"
    assert [item.index for item in cart.lines] == list(range(start, start + len(lines)))
    for sent, item in zip(lines, cart.lines, strict=True):
        known = {name: value for name, value in sent.items() if name != "URL"}
        assert item.fields == known
        assert item.extra == ({"URL": sent["URL"]} if "URL" in sent else {})
        assert item.description == sent["DESCRIPTION"]
        assert item.quantity == Decimal(sent["QUANTITY"])
        assert item.unit == item.unit_received == sent["UNIT"]
        assert item.longtext == sent.get("LONGTEXT")
        assert item.vendormat == sent.get("VENDORMAT")
        assert item.matgroup == sent.get("MATGROUP")
        assert item.service is ("SERVICE" in sent)
        assert item.leadtime_days == (int(sent["LEADTIME"]) if "LEADTIME" in sent else None)
        price_unit = Decimal(sent.get("PRICEUNIT", "1"))
        assert item.price_unit == price_unit
        if "PRICE" in sent:
            price = Decimal(sent["PRICE"])
            assert item.unit_price == price
            assert item.currency == sent["CURRENCY"]
            expected = (price * Decimal(sent["QUANTITY"]) / price_unit).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert item.net_amount == expected
        else:
            assert item.unit_price is None
            assert item.net_amount is None
            assert item.currency is None


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(cart_lines(), min_size=1, max_size=4), start=st.sampled_from([0, 1]))
def test_parsed_lines_encode_and_parse_back_equal(lines: list[dict[str, str]], start: int) -> None:
    first = parse_cart(encode_cart_body(lines, start_index=start))
    second = parse_cart(encode_cart_body(first.lines, start_index=start))
    assert second.lines == first.lines


# --- outbound round trip ------------------------------------------------------------------------

PARAM_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)


@given(
    hook_url=PARAM_TEXT.filter(bool),
    username=PARAM_TEXT,
    password=PARAM_TEXT,
    extra=st.dictionaries(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12), PARAM_TEXT),
)
def test_outbound_fields_round_trip_through_urlencode(
    hook_url: str, username: str, password: str, extra: dict[str, str]
) -> None:
    reserved = {"username", "password", "hook_url", "~okcode", "~target", "~caller", "returntarget", "oci_version",
                "http_content_charset"}  # fmt: skip
    extra = {key: value for key, value in extra.items() if key.casefold() not in reserved}
    fields = build_punchout_fields(hook_url=hook_url, username=username, password=password, extra_params=extra)
    assert parse_qsl(urlencode(fields), keep_blank_values=True, strict_parsing=False) == [
        (name, value) for name, value in fields
    ]
