"""Body decoding: content types, percent-decoding, charsets, multipart, limits (oci.md §3.3, §3.4)."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocilink.protocols.oci import OciDecodeError, OciError, parse_cart
from ocilink.protocols.oci.decoding import charset_display_name, lookup_charset, parse_content_type, percent_decode

FORM = "application/x-www-form-urlencoded"
PAPERCLIPS = "Büroklammern 26/6 (Größe M)"


def body(description: str, charset: str = "utf-8", **extra: str) -> bytes:
    pairs = [("NEW_ITEM-DESCRIPTION[1]", description), ("NEW_ITEM-QUANTITY[1]", "1"), ("NEW_ITEM-UNIT[1]", "H87")]
    pairs += list(extra.items())
    return urlencode(pairs, encoding=charset).encode("ascii")


# --- content types and form syntax ---------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", [None, "", FORM, FORM + "; charset=utf-8", "text/plain", "application/json", ";;"]
)
def test_anything_but_multipart_is_read_as_urlencoded(content_type: str | None) -> None:
    cart = parse_cart(body("Pen"), content_type)
    assert cart.ok
    assert cart.lines[0].description == "Pen"


def test_get_query_string_with_question_mark() -> None:
    cart = parse_cart(b"?" + body("Pen"))
    assert cart.lines[0].description == "Pen"


def test_plus_percent_and_structural_characters() -> None:
    raw = b"NEW_ITEM-DESCRIPTION[1]=a+b%2Bc%26d%3De=f&&NEW_ITEM-QUANTITY%5B1%5D=1&NEW_ITEM-UNIT[1]=H87&flag\r\n"
    cart = parse_cart(raw)
    assert cart.lines[0].description == "a b+c&d=e=f"
    assert cart.ignored_fields == ("flag",)


def test_invalid_percent_escapes_stay_literal() -> None:
    cart = parse_cart(b"NEW_ITEM-DESCRIPTION[1]=100%25+%zz+%4&NEW_ITEM-QUANTITY[1]=1&NEW_ITEM-UNIT[1]=H87")
    assert cart.lines[0].description == "100% %zz %4"


def test_nul_bytes_in_values_survive() -> None:
    raw = b"NEW_ITEM-DESCRIPTION[1]=a%00%02b\x00\x02c&NEW_ITEM-QUANTITY[1]=1&NEW_ITEM-UNIT[1]=H87"
    cart = parse_cart(raw)
    assert cart.lines[0].description == "a\x00\x02b\x00\x02c"


def test_raw_non_ascii_bytes_outside_percent_encoding() -> None:
    raw = "NEW_ITEM-DESCRIPTION[1]=Größe&NEW_ITEM-QUANTITY[1]=1&NEW_ITEM-UNIT[1]=H87"
    assert parse_cart(raw.encode("utf-8")).lines[0].description == "Größe"
    cart = parse_cart(raw.encode("latin-1"))
    assert cart.lines[0].description == "Größe"
    assert cart.charset == "windows-1252"


def test_parse_content_type() -> None:
    assert parse_content_type('Multipart/Form-Data; Boundary="a b"; charset=UTF-8') == (
        "multipart/form-data",
        {"boundary": "a b", "charset": "UTF-8"},
    )
    assert parse_content_type(None) == ("", {})


@given(st.binary(max_size=60))
def test_percent_decode_matches_unquote_to_bytes(data: bytes) -> None:
    assert percent_decode(data) == unquote_to_bytes(data)


@given(st.lists(st.sampled_from([b"%", b"%41", b"%c3%a4", b"%zz", b"%4", b"=", b"a", b"\n", b"\r\n", b"\x00", b" "])))
def test_percent_decode_matches_unquote_to_bytes_on_escapes(parts: list[bytes]) -> None:
    data = b"".join(parts)
    assert percent_decode(data) == unquote_to_bytes(data)


# --- charsets -------------------------------------------------------------------------------


def test_utf8_is_detected() -> None:
    cart = parse_cart(body(PAPERCLIPS), FORM)
    assert cart.charset == "utf-8"
    assert not cart.warnings
    assert cart.lines[0].description == PAPERCLIPS


def test_windows_1252_fallback_with_a_warning() -> None:
    cart = parse_cart(body(PAPERCLIPS + " €", "cp1252"), FORM)
    assert cart.charset == "windows-1252"
    assert cart.lines[0].description == PAPERCLIPS + " €"
    [warning] = cart.warnings
    assert warning.line is None
    assert warning.field is None
    assert "decoded as Windows-1252 because the body is not valid UTF-8" in warning.message
    assert 'accept-charset="UTF-8"' in warning.message


def test_declared_charset_is_used() -> None:
    cart = parse_cart(body(PAPERCLIPS, "latin-1"), FORM + "; charset=ISO-8859-1")
    assert cart.charset == "iso-8859-1"
    assert not cart.warnings
    assert cart.lines[0].description == PAPERCLIPS


def test_declared_charset_wins_over_detection() -> None:
    # Valid UTF-8 bytes, declared as Latin-1: the declaration is believed.
    cart = parse_cart(body("ä"), "text/plain; charset=iso-8859-1")
    assert cart.lines[0].description == "Ã¤"


def test_override_wins_over_declared_charset() -> None:
    cart = parse_cart(body(PAPERCLIPS, "latin-1"), FORM + "; charset=utf-8", charset_override="latin1")
    assert cart.charset == "iso-8859-1"
    assert not cart.warnings
    assert cart.lines[0].description == PAPERCLIPS


def test_failing_override_raises() -> None:
    with pytest.raises(OciDecodeError) as info:
        parse_cart(body(PAPERCLIPS, "latin-1"), FORM, charset_override="utf-8")
    assert "override" in str(info.value)
    assert info.value.charset == "utf-8"


@pytest.mark.parametrize("name", ["klingon", "utf-16", "base64", "unicode_escape", "idna", ""])
def test_unusable_override_raises(name: str) -> None:
    with pytest.raises(OciDecodeError):
        parse_cart(body("Pen"), FORM, charset_override=name)


@pytest.mark.parametrize("declared", ["klingon", "utf-16", "utf-7", "cp037", "hex"])
def test_unknown_or_incompatible_declared_charset_warns_and_detects(declared: str) -> None:
    cart = parse_cart(body(PAPERCLIPS), f"{FORM}; charset={declared}")
    assert cart.charset == "utf-8"
    assert cart.lines[0].description == PAPERCLIPS
    [warning] = cart.warnings
    assert declared in warning.message


def test_declared_charset_that_fails_warns_and_detects() -> None:
    cart = parse_cart(body(PAPERCLIPS, "latin-1"), FORM + "; charset=utf-8")
    assert cart.charset == "windows-1252"
    assert cart.lines[0].description == PAPERCLIPS
    assert len(cart.warnings) == 2


def test_charset_field_is_honoured() -> None:
    cart = parse_cart(body(PAPERCLIPS, "latin-1", _charset_="ISO-8859-1"), FORM)
    assert cart.charset == "iso-8859-1"
    assert not cart.warnings
    assert cart.ignored_fields == ("_charset_",)


def test_http_content_charset_field_is_not_a_declaration() -> None:
    cart = parse_cart(body(PAPERCLIPS, "latin-1", http_content_charset="utf-8"), FORM)
    assert cart.charset == "windows-1252"


def test_undecodable_bytes_raise() -> None:
    with pytest.raises(OciDecodeError) as info:
        parse_cart(b"NEW_ITEM-DESCRIPTION[1]=%81%8D%8F%90%9D")
    assert "UTF-8" in str(info.value)
    assert isinstance(info.value, OciError)


@pytest.mark.parametrize(
    ("codec", "display"),
    [("utf-8", "utf-8"), ("cp1252", "windows-1252"), ("iso8859-1", "iso-8859-1"), ("iso8859-15", "iso-8859-15"),
     ("cp1250", "windows-1250"), ("ascii", "ascii")],
)  # fmt: skip
def test_charset_display_names(codec: str, display: str) -> None:
    assert charset_display_name(codec) == display


def test_lookup_charset() -> None:
    assert lookup_charset("UTF8") == "utf-8"
    assert lookup_charset('"latin-1"') == "iso8859-1"
    assert lookup_charset("windows-1252") == "cp1252"
    assert lookup_charset("utf-16") is None
    assert lookup_charset("x" * 100) is None


# --- multipart --------------------------------------------------------------------------------


def multipart(parts: list[tuple[str, bytes, str | None]], boundary: str = "XyZ", close: bool = True) -> bytes:
    out = b""
    for name, value, extra_header in parts:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'.encode()
        out += (extra_header or "").encode() + b"\r\n\r\n" + value + b"\r\n"
    return out + (f"--{boundary}--\r\n".encode() if close else b"")


def test_multipart_basic() -> None:
    raw = multipart([("NEW_ITEM-DESCRIPTION[1]", "Größe".encode(), None), ("NEW_ITEM-QUANTITY[1]", b"2", None),
                     ("NEW_ITEM-UNIT[1]", b"H87", None), ("~OkCode", b"ADDI", None)])  # fmt: skip
    cart = parse_cart(raw, 'multipart/form-data; boundary="XyZ"')
    assert cart.ok
    assert cart.charset == "utf-8"
    assert cart.lines[0].description == "Größe"
    assert cart.ignored_fields == ("~OkCode",)


def test_multipart_part_charset() -> None:
    raw = multipart([
        ("NEW_ITEM-DESCRIPTION[1]", "Größe".encode("latin-1"), "\r\nContent-Type: text/plain; charset=ISO-8859-1"),
        ("NEW_ITEM-LONGTEXT_1:132[]", "Maß".encode(), None), ("NEW_ITEM-QUANTITY[1]", b"1", None),
    ])  # fmt: skip
    cart = parse_cart(raw, "multipart/form-data; boundary=XyZ")
    assert cart.lines[0].description == "Größe"
    assert cart.lines[0].longtext == "Maß"


def test_multipart_without_part_charsets_falls_back_to_windows_1252() -> None:
    raw = multipart(
        [("NEW_ITEM-DESCRIPTION[1]", "Größe".encode("latin-1"), None), ("NEW_ITEM-QUANTITY[1]", b"1", None)]
    )
    cart = parse_cart(raw, "multipart/form-data; boundary=XyZ")
    assert cart.charset == "windows-1252"
    assert cart.lines[0].description == "Größe"


def test_multipart_file_parts_are_ignored() -> None:
    raw = multipart([("NEW_ITEM-DESCRIPTION[1]", b"Pen", None), ("NEW_ITEM-QUANTITY[1]", b"1", None),
                     ("upload", b"\x81\x8d\x00binary", '; filename="x.bin"')])  # fmt: skip
    cart = parse_cart(raw, "multipart/form-data; boundary=XyZ")
    assert cart.lines[0].description == "Pen"
    assert cart.ignored_fields == ("upload",)


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (multipart([("NEW_ITEM-QUANTITY[1]", b"1", None)]), "multipart/form-data"),
        (multipart([("NEW_ITEM-QUANTITY[1]", b"1", None)], close=False), "multipart/form-data; boundary=XyZ"),
        (b"NEW_ITEM-QUANTITY[1]=1", "multipart/form-data; boundary=XyZ"),
        (b"", "multipart/form-data; boundary=XyZ"),
    ],
)
def test_broken_multipart_raises(raw: bytes, content_type: str) -> None:
    with pytest.raises(OciDecodeError) as info:
        parse_cart(raw, content_type)
    assert "multipart" in str(info.value)


def test_multipart_header_injection_is_harmless() -> None:
    raw = multipart([("NEW_ITEM-DESCRIPTION[1]", b"Pen", None), ("NEW_ITEM-QUANTITY[1]", b"1", None)])
    # CR/LF cannot inject a header: the boundary simply does not match, and that is reported.
    with pytest.raises(OciDecodeError):
        parse_cart(raw, "multipart/form-data; boundary=XyZ\r\nContent-Type: text/plain")


# --- limits -------------------------------------------------------------------------------------


def test_max_fields_urlencoded() -> None:
    raw = b"&".join(b"NEW_ITEM-DESCRIPTION[%d]=x" % i for i in range(1, 11))
    assert len(parse_cart(raw, max_fields=10).lines) == 10
    with pytest.raises(OciDecodeError) as info:
        parse_cart(raw, max_fields=9)
    assert "10 form fields" in str(info.value)
    with pytest.raises(OciDecodeError):
        parse_cart(raw.replace(b"=x", b"=x=y"), max_fields=9)  # the slow splitting path counts too


def test_max_fields_multipart() -> None:
    raw = multipart([(f"NEW_ITEM-DESCRIPTION[{i}]", b"x", None) for i in range(1, 6)])
    with pytest.raises(OciDecodeError):
        parse_cart(raw, "multipart/form-data; boundary=XyZ", max_fields=4)
    assert len(parse_cart(raw, "multipart/form-data; boundary=XyZ", max_fields=5).lines) == 5


def test_fields_without_a_name_are_skipped() -> None:
    cart = parse_cart(b"=x&=&NEW_ITEM-DESCRIPTION[1]=Pen&NEW_ITEM-QUANTITY[1]=1&NEW_ITEM-UNIT[1]=H87&%20=y")
    assert cart.ok
    assert cart.ignored_fields == ()
