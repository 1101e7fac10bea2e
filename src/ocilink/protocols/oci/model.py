"""Data classes of a parsed OCI cart."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["OciCart", "OciLine", "Problem"]

_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Problem:
    """An error or warning about a received cart.

    ``line`` is the line index as received (None for cart-level problems),
    ``field`` the OCI field name without prefix and index (e.g. "QUANTITY",
    None when no single field is concerned). ``message`` is one English
    sentence naming the line, the field, the value received and what the
    supplier must change.
    """

    line: int | None
    field: str | None
    message: str


@dataclass(frozen=True)
class OciLine:
    """One cart line (all NEW_ITEM fields sharing one index).

    Text attributes are the values as received (None when absent or empty).
    ``fields`` holds every known OCI field as received, keyed by its name
    without prefix and index (LONGTEXT joined); ``extra`` holds the unknown
    ``NEW_ITEM-*`` fields. Treat both mappings as read-only.

    (Not a slots class: the parser builds lines through ``new_line``, which
    fills ``__dict__`` in one step; a frozen dataclass's ``__init__`` costs
    about 10 µs for 40 fields, which matters for 2,000-line carts.)
    """

    index: int
    description: str | None = None
    matnr: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    unit_received: str | None = None
    unit_price: Decimal | None = None
    price_unit: Decimal = _ONE
    currency: str | None = None
    net_amount: Decimal | None = None
    leadtime_days: int | None = None
    longtext: str | None = None
    vendor: str | None = None
    vendormat: str | None = None
    manufactcode: str | None = None
    manufactmat: str | None = None
    matgroup: str | None = None
    contract: str | None = None
    contract_item: str | None = None
    ext_quote_id: str | None = None
    ext_quote_item: str | None = None
    ext_product_id: str | None = None
    attachment: str | None = None
    attachment_title: str | None = None
    attachment_purpose: str | None = None
    ext_schema_type: str | None = None
    ext_category_id: str | None = None
    ext_category: str | None = None
    sld_sys_name: str | None = None
    cust_field1: str | None = None
    cust_field2: str | None = None
    cust_field3: str | None = None
    cust_field4: str | None = None
    cust_field5: str | None = None
    item_type: str | None = None
    parent_id: str | None = None
    service: bool = False
    fields: Mapping[str, str] = field(default_factory=dict, hash=False)
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def price_per_unit(self) -> Decimal | None:
        """The price of one unit (PRICE / PRICEUNIT), None when there is no price."""
        if self.unit_price is None:
            return None
        return self.unit_price / self.price_unit


@dataclass(frozen=True, slots=True)
class OciCart:
    """A parsed cart: its lines (ordered by index), problems and metadata.

    ``charset`` is the charset the body was decoded with (e.g. "utf-8",
    "windows-1252", "iso-8859-1"). ``ignored_fields`` lists the names of
    non-NEW_ITEM fields seen (e.g. "~OkCode"), each once, in order.
    """

    lines: tuple[OciLine, ...]
    charset: str
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    ignored_fields: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the cart has no errors (warnings are allowed)."""
        return not self.errors


_LINE_DEFAULTS: dict[str, object] = {
    f.name: f.default for f in dataclasses.fields(OciLine) if f.default is not dataclasses.MISSING
}


def new_line(values: dict[str, object]) -> OciLine:
    """Build an ``OciLine`` from attribute values quickly (internal to the parser).

    ``values`` must hold ``index``, ``fields`` and ``extra`` and only valid
    attribute names with values of the declared types; missing attributes get
    their defaults. Equivalent to ``OciLine(**values)``.
    """
    line = object.__new__(OciLine)
    state = _LINE_DEFAULTS.copy()
    state.update(values)
    object.__setattr__(line, "__dict__", state)
    return line
