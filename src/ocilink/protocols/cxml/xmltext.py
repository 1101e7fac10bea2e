"""Small helpers shared by the cXML builders: the prolog, text cleaning, numbers and timestamps.

Everything a builder writes goes through these functions, so the rules are in one place:

* text: characters XML 1.0 cannot carry (C0 controls other than tab/newline/carriage return,
  lone surrogates, U+FFFE/U+FFFF) are dropped; everything else (umlauts, ``<&>"'``) is kept and
  escaped by lxml when serialised;
* numbers: plain decimal strings, never an exponent (``Decimal("1E+2")`` -> ``"100"``);
* timestamps: ISO 8601 with the UTC offset (cXML's ``%datetime.tz``: "time zone is required").
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

CXML_VERSION = "1.2.063"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DOCTYPE = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd">'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_LANG = "en"

_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: str) -> str:
    """Return ``value`` without the characters XML 1.0 cannot represent."""
    if value.isprintable():  # fast path: every printable character is allowed in XML
        return value
    return _NOT_XML_CHAR.sub("", value)


def plain_decimal(value: Decimal) -> str:
    """Format a decimal without exponent, keeping every digit it has.

    Raises ``ValueError`` for NaN and infinities: they have no place in a purchase order.
    """
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return format(value, "f")


def iso_timestamp(value: datetime) -> str:
    """Format an aware datetime as ISO 8601 with offset, e.g. ``2026-11-27T10:15:00+01:00``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"cXML timestamps need a time zone; got the naive datetime {value.isoformat()}")
    return value.isoformat(timespec="seconds")


def document_bytes(serialized_root: bytes) -> bytes:
    """Prefix a serialised root element with the XML declaration and the cXML DOCTYPE."""
    return XML_DECLARATION + DOCTYPE.encode("ascii") + b"\n" + serialized_root
