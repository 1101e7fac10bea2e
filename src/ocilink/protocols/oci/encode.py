"""The webshop side: build the cart form a webshop posts to HOOK_URL.

Used by the demo webshop, the tests and the benchmarks. Long text is posted as
``NEW_ITEM-LONGTEXT_<n>:132[]`` and HTML-escaped once, because the receiving
side HTML-unescapes it once (oci.md §2.5).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from urllib.parse import urlencode

from .fields import FIELDS, wire_name
from .model import OciLine

__all__ = ["encode_cart_body", "encode_cart_fields", "line_to_mapping"]

_ONE = Decimal(1)


def line_to_mapping(line: OciLine) -> dict[str, str]:
    """The OCI fields of ``line`` built from its attributes, then its ``extra`` fields.

    Numbers are written in plain notation with a dot; UNIT is the unit as
    received when known (else the canonical unit); PRICEUNIT is written when
    it is not 1 or was received; SERVICE is "X" for a service.
    """
    values: dict[str, str] = {}
    for field in FIELDS:
        name = field.name
        if name == "QUANTITY":
            value: object = line.quantity
        elif name == "UNIT":
            value = line.unit_received if line.unit_received is not None else line.unit
        elif name == "PRICEUNIT":
            value = None if line.price_unit == _ONE and "PRICEUNIT" not in line.fields else line.price_unit
        elif name == "SERVICE":
            value = "X" if line.service else None
        else:
            value = getattr(line, field.attribute)
        if value is None:
            continue
        if isinstance(value, Decimal):
            values[name] = format(value, "f")
        else:
            values[name] = str(value)
    for name, value in line.extra.items():
        values.setdefault(name.upper(), value)
    return values


def encode_cart_fields(
    lines: Sequence[Mapping[str, str]] | Sequence[OciLine], *, start_index: int = 1
) -> list[tuple[str, str]]:
    """Return the ``(name, value)`` pairs a webshop posts for ``lines``.

    Each line is either a mapping of OCI field names without prefix and index
    (``{"DESCRIPTION": "...", "QUANTITY": "2"}``; unknown names are posted as
    ``NEW_ITEM-<NAME>[n]`` too) or an ``OciLine``. Lines are numbered from
    ``start_index`` (1 per the spec; 0 to imitate such webshops).
    """
    if start_index < 0:
        raise ValueError("start_index must be 0 or more")
    pairs: list[tuple[str, str]] = []
    items: Sequence[Mapping[str, str] | OciLine] = lines
    for offset, line in enumerate(items):
        index = start_index + offset
        mapping: Mapping[str, str] = line_to_mapping(line) if isinstance(line, OciLine) else line
        for name, value in mapping.items():
            key = name.upper()
            if key == "LONGTEXT":
                pairs.append((wire_name("LONGTEXT", index), html.escape(value, quote=False)))
            else:
                pairs.append((wire_name(key, index), value))
    return pairs


def encode_cart_body(
    lines: Sequence[Mapping[str, str]] | Sequence[OciLine], *, start_index: int = 1, charset: str = "utf-8"
) -> bytes:
    """Return the application/x-www-form-urlencoded body for ``lines``.

    Values are encoded in ``charset`` before percent-encoding, as a browser
    does for a form with that ``accept-charset``. A character the charset
    cannot encode raises ``UnicodeEncodeError``.
    """
    pairs = encode_cart_fields(lines, start_index=start_index)
    return urlencode(pairs, encoding=charset, errors="strict").encode("ascii")
