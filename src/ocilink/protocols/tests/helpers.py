"""Helpers for the parsing tests: build a form body from pairs and parse it."""

from __future__ import annotations

from urllib.parse import urlencode

from ocilink.protocols.oci import OciCart, OciLine, Problem, parse_cart

BASE = {"DESCRIPTION": "Pen", "QUANTITY": "1", "UNIT": "H87", "PRICE": "2.00", "CURRENCY": "EUR"}


def post(*pairs: tuple[str, str], unit_map: dict[str, str] | None = None) -> OciCart:
    """Parse a form-urlencoded body made of ``pairs``."""
    return parse_cart(urlencode(pairs).encode("ascii"), "application/x-www-form-urlencoded", unit_map=unit_map)


def line(index: int = 1, **fields: str) -> list[tuple[str, str]]:
    """The pairs of one valid line (a pen for 2.00 EUR), with ``fields`` replacing or adding values."""
    values = {**BASE, **fields}
    return [(f"NEW_ITEM-{name}[{index}]", value) for name, value in values.items()]


def one(**fields: str) -> tuple[OciLine, OciCart]:
    """Parse a one-line cart; return the line and the cart."""
    cart = post(*line(1, **fields))
    assert len(cart.lines) == 1
    return cart.lines[0], cart


def problems(items: tuple[Problem, ...], field: str) -> list[Problem]:
    """The problems about ``field``."""
    return [p for p in items if p.field == field]
