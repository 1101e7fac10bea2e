"""Validation of one cart line: numbers, currency, unit, lengths (oci.md §2.2-§2.5).

Every problem is a ``Problem`` whose message is one sentence naming the line
(the index as received), the posted field name, the value received (shortened
to 60 characters) and what the supplier must change.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal

from .currencies import ISO_4217_CODES
from .fields import FIELDS, wire_name
from .model import OciLine, Problem, new_line
from .units import resolve_unit

__all__ = ["build_line", "join_longtext", "parse_number", "quote_value"]

_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
# Fast paths: values that are certainly valid (the general path handles everything else).
_QUANTITY_FAST = re.compile(r"[1-9][0-9]{0,10}(?:\.[0-9]{0,3})?|0?\.[0-9]{1,3}", re.ASCII).fullmatch
_PRICE_FAST = re.compile(r"(?:[1-9][0-9]{0,10}|0)(?:\.[0-9]*)?|\.[0-9]+", re.ASCII).fullmatch
_PRICE_UNIT_FAST = re.compile(r"[1-9][0-9]{0,8}(?:\.[0-9]{0,3})?", re.ASCII).fullmatch
_UNLIMITED = 1 << 62
_INT_RE = re.compile(r"\+?[0-9]{1,9}", re.ASCII)
_ONE = Decimal(1)
_ZERO = Decimal(0)
_CENT = Decimal("0.01")
_CALC = Context(prec=60, rounding=ROUND_HALF_UP)
_CONTROL = {i: f"\\x{i:02x}" for i in (*range(32), 127)}

# Text attributes filled straight from the field of the same meaning.
_TEXT_ATTRIBUTE: dict[str, str] = {
    f.name: f.attribute
    for f in FIELDS
    if f.name not in {"QUANTITY", "UNIT", "PRICE", "CURRENCY", "PRICEUNIT", "LEADTIME", "LONGTEXT", "SERVICE"}
}
# Fields whose length is checked against the table (QUANTITY has digit rules,
# UNIT is checked against the unit tables instead).
_MAX_LENGTH: dict[str, int] = {
    f.name: f.max_length for f in FIELDS if f.max_length is not None and f.name not in {"QUANTITY", "UNIT"}
}
_DEPENDENT = frozenset({"CONTRACT_ITEM", "EXT_QUOTE_ITEM", "EXT_CATEGORY_ID", "EXT_CATEGORY"})
_DEPENDENCIES = (
    ("CONTRACT_ITEM", "CONTRACT", "the contract number"),
    ("EXT_QUOTE_ITEM", "EXT_QUOTE_ID", "the quotation number"),
    ("EXT_CATEGORY_ID", "EXT_SCHEMA_TYPE", "the classification schema name"),
    ("EXT_CATEGORY", "EXT_SCHEMA_TYPE", "the classification schema name"),
)
_PLAIN_NUMBER = "a plain number with a dot as decimal separator and no thousands separator"


def quote_value(value: str, limit: int = 60) -> str:
    """Quote a received value for a message: control characters escaped, at most ``limit`` characters."""
    text = value[: limit * 4].translate(_CONTROL)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


def parse_number(raw: str) -> tuple[Decimal | None, str, str]:
    """Parse an OCI number. Returns ``(value, kind, text)``.

    ``kind`` is "ok"; "comma" (a single comma read as the decimal point);
    or, with value None, "mixed" (both "." and ","), "several" (more than one
    separator) or "invalid" (not a number). ``text`` is the stripped value
    with the comma replaced. Exponents, NaN and Infinity are not numbers here.
    """
    text = raw.strip()
    commas = text.count(",")
    dots = text.count(".")
    if commas and dots:
        return None, "mixed", text
    if commas > 1 or dots > 1:
        return None, "several", text
    kind = "ok"
    if commas:
        text = text.replace(",", ".")
        kind = "comma"
    if _NUMBER_RE.fullmatch(text) is None:
        return None, "invalid", text
    return Decimal(text), kind, text


def _exceeds(text: str, max_integer: int, max_decimals: int) -> bool:
    """True when a parsed number has more significant integer digits or decimals than allowed."""
    integer, _, fraction = text.partition(".")
    if len(integer) > max_integer and len(integer.lstrip("+-0")) > max_integer:
        return True
    return len(fraction) > max_decimals and len(fraction.rstrip("0")) > max_decimals


def join_longtext(pieces: list[str]) -> str:
    """Join long-text pieces and HTML-unescape the result once (oci.md §2.5).

    Several values are SAP's 132-character text lines: when every piece but
    the last is exactly 132 characters long they are wrapped lines of one
    text and are joined without separator; otherwise each piece is a line of
    its own and they are joined with "\\n".
    """
    if len(pieces) == 1:
        text = pieces[0]
    elif all(len(piece) == 132 for piece in pieces[:-1]):
        text = "".join(pieces)
    else:
        text = "\n".join(pieces)
    return html.unescape(text) if "&" in text else text


class _Checker:
    """Collects the problems of one line."""

    __slots__ = ("errors", "index", "warnings")

    def __init__(self, index: int, errors: list[Problem], warnings: list[Problem]) -> None:
        self.index = index
        self.errors = errors
        self.warnings = warnings

    def error(self, name: str, text: str) -> None:
        self.errors.append(Problem(self.index, name, f"Line {self.index}: {text}"))

    def warn(self, name: str, text: str) -> None:
        self.warnings.append(Problem(self.index, name, f"Line {self.index}: {text}"))

    def received(self, name: str, raw: str) -> str:
        """'NEW_ITEM-NAME[n] is "value"' for a message."""
        return f"{wire_name(name, self.index)} is {quote_value(raw)}"

    def number(self, name: str, raw: str, example: str) -> tuple[Decimal | None, str]:
        """Parse a numeric field, reporting separator problems; value None on error."""
        value, kind, text = parse_number(raw)
        if kind == "ok":
            return value, text
        if kind == "comma":
            self.warn(
                name,
                f"{self.received(name, raw)}, with a comma as decimal separator, and was read as {text}; "
                "the supplier must use a dot as decimal separator.",
            )
            return value, text
        if kind == "mixed":
            reason = "which mixes '.' and ',' so the number is ambiguous"
        elif kind == "several":
            reason = "which has more than one '.' or ','"
        else:
            reason = "which is not a number"
        self.error(
            name, f"{self.received(name, raw)}, {reason}; the supplier must send {_PLAIN_NUMBER} (e.g. {example})."
        )
        return None, text


def build_line(
    index: int,
    fields: dict[str, str],
    longtext_pieces: list[str] | None,
    extra: dict[str, str],
    unit_map: Mapping[str, str],
    errors: list[Problem],
    warnings: list[Problem],
) -> OciLine:
    """Validate one line's fields and build its ``OciLine``.

    ``fields`` holds the non-empty known fields (name -> value as received);
    ``longtext_pieces`` the long-text values in order. Problems are appended
    to ``errors`` and ``warnings``.
    """
    check = _Checker(index, errors, warnings)
    values: dict[str, object] = {}
    text_attribute = _TEXT_ATTRIBUTE.get
    max_length = _MAX_LENGTH.get
    for name, value in fields.items():
        attribute = text_attribute(name)
        if attribute is not None:
            values[attribute] = value
        if len(value) > max_length(name, _UNLIMITED):
            _too_long(check, name, value)
    if longtext_pieces:
        longtext = join_longtext(longtext_pieces)
        if longtext and not longtext.isspace():
            fields["LONGTEXT"] = values["longtext"] = longtext
    get = fields.get

    if "DESCRIPTION" not in fields and "MATNR" not in fields:
        check.error(
            "DESCRIPTION",
            f"both NEW_ITEM-DESCRIPTION[{index}] and NEW_ITEM-MATNR[{index}] are missing or empty; "
            f"the supplier must send a short text in NEW_ITEM-DESCRIPTION[{index}].",
        )

    quantity = _quantity(check, get("QUANTITY"))
    unit_received = get("UNIT")
    unit_price = _price(check, get("PRICE"))
    price_unit, price_unit_ok = _price_unit(check, get("PRICEUNIT"))
    values.update(
        index=index,
        quantity=quantity,
        unit=_unit(check, unit_received, unit_map),
        unit_received=unit_received,
        unit_price=unit_price,
        price_unit=price_unit,
        currency=_currency(check, get("CURRENCY"), get("PRICE"), price_ok=unit_price is not None),
        leadtime_days=_leadtime(check, get("LEADTIME")),
        fields=fields,
        extra=extra,
    )
    service = get("SERVICE")
    if service is not None:
        if service.strip().upper() == "X":
            values["service"] = True
        else:
            check.warn(
                "SERVICE",
                f"{check.received('SERVICE', service)}, but only X marks a service, so the line was taken as a "
                "material; the supplier must send X for a service or leave the field empty.",
            )

    if fields.keys() & _DEPENDENT:
        for name, needed, what in _DEPENDENCIES:
            if name in fields and needed not in fields:
                check.warn(
                    name,
                    f"{check.received(name, fields[name])} but {wire_name(needed, index)} is missing; "
                    f"the supplier must also send {what}.",
                )

    if unit_price is not None and quantity is not None and price_unit_ok:
        amount = _CALC.multiply(unit_price, quantity)
        if price_unit != _ONE:
            amount = _CALC.divide(amount, price_unit)
        values["net_amount"] = amount.quantize(_CENT, context=_CALC)
    return new_line(values)


def _too_long(check: _Checker, name: str, value: str) -> None:
    limit = _MAX_LENGTH[name]
    check.warn(
        name,
        f"{check.received(name, value)}, {len(value)} characters long, more than the {limit} OCI allows "
        f"(SAP truncates it), so it was kept whole; the supplier must shorten it to {limit} "
        f"character{'s' if limit != 1 else ''}.",
    )


def _quantity(check: _Checker, raw: str | None) -> Decimal | None:
    if raw is None:
        check.error(
            "QUANTITY",
            f"{wire_name('QUANTITY', check.index)} is missing or empty; the supplier must send the quantity, "
            "a number greater than 0.",
        )
        return None
    if _QUANTITY_FAST(raw) is not None:  # the usual "12" or "12.000": within the digit limits
        fast = Decimal(raw)
        if fast > _ZERO:
            return fast
    value, text = check.number("QUANTITY", raw, "2.5")
    if value is None:
        return None
    if value <= _ZERO:
        check.error("QUANTITY", f"{check.received('QUANTITY', raw)}; the supplier must send a quantity greater than 0.")
        return None
    if _exceeds(text, 11, 3):
        check.error(
            "QUANTITY",
            f"{check.received('QUANTITY', raw)}, which has more than 11 digits before or 3 digits after the "
            "decimal point; the supplier must send at most 11 integer digits and 3 decimals.",
        )
        return None
    return value


def _unit(check: _Checker, raw: str | None, unit_map: Mapping[str, str]) -> str | None:
    if raw is None:
        check.warn(
            "UNIT",
            f"{wire_name('UNIT', check.index)} is missing or empty, and SAP requires a unit; the supplier must "
            "send a UN/ECE Rec 20 unit code (e.g. H87 for piece).",
        )
        return None
    unit = resolve_unit(raw, unit_map)
    if unit is None:
        check.warn(
            "UNIT",
            f"{check.received('UNIT', raw)}, which is not a known UN/ECE Rec 20 unit code, so it was kept as "
            "received; the supplier must send a Rec 20 code (e.g. H87 for piece), or the connection's unit map "
            "must map it.",
        )
        return raw.strip()
    return unit


def _price(check: _Checker, raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    if _PRICE_FAST(raw) is not None:
        return Decimal(raw)
    value, text = check.number("PRICE", raw, "12.50")
    if value is None:
        return None
    if value < _ZERO:
        check.error(
            "PRICE", f"{check.received('PRICE', raw)}, a negative price; the supplier must send a price of 0 or more."
        )
        return None
    if _exceeds(text, 11, 10**9):
        check.error(
            "PRICE",
            f"{check.received('PRICE', raw)}, which has more than 11 digits before the decimal point; the "
            "supplier must send at most 11 integer digits.",
        )
        return None
    return value


def _currency(check: _Checker, raw: str | None, price_raw: str | None, *, price_ok: bool) -> str | None:
    if raw is None:
        if price_ok and price_raw is not None:
            check.error(
                "CURRENCY",
                f"{wire_name('CURRENCY', check.index)} is missing although a price ({quote_value(price_raw)}) was "
                "sent; the supplier must send the ISO 4217 currency code of the price (e.g. EUR).",
            )
        return None
    code = raw.strip()
    if code in ISO_4217_CODES:
        return code
    if code.upper() in ISO_4217_CODES:
        check.warn(
            "CURRENCY",
            f"{check.received('CURRENCY', raw)} and was read as {code.upper()}; the supplier must send ISO 4217 "
            "currency codes in upper case.",
        )
        return code.upper()
    report = check.error if price_raw is not None else check.warn
    report(
        "CURRENCY",
        f"{check.received('CURRENCY', raw)}, which is not an ISO 4217 currency code; the supplier must send an "
        "ISO 4217 code such as EUR, CHF or USD.",
    )
    return code


def _price_unit(check: _Checker, raw: str | None) -> tuple[Decimal, bool]:
    if raw is None:
        return _ONE, True
    if _PRICE_UNIT_FAST(raw) is not None:  # never 0: it starts with 1-9
        return Decimal(raw), True
    value, text = check.number("PRICEUNIT", raw, "100")
    if value is None:
        return _ONE, False
    if value <= _ZERO:
        check.error(
            "PRICEUNIT",
            f"{check.received('PRICEUNIT', raw)}; the supplier must send a price unit greater than 0, or leave it "
            "empty for 1.",
        )
        return _ONE, False
    if _exceeds(text, 9, 3):
        check.error(
            "PRICEUNIT",
            f"{check.received('PRICEUNIT', raw)}, which has more than 9 digits before or 3 digits after the decimal "
            "point; the supplier must send the number of units the price refers to (e.g. 100).",
        )
        return _ONE, False
    return value, True


def _leadtime(check: _Checker, raw: str | None) -> int | None:
    if raw is None:
        return None
    text = raw.strip()
    if _INT_RE.fullmatch(text):
        return int(text)
    check.warn(
        "LEADTIME",
        f"{check.received('LEADTIME', raw)}, which is not a whole number of days, so it was ignored; the "
        "supplier must send the delivery time as a whole number of days (e.g. 3).",
    )
    return None
