"""Turn an order snapshot into JSON for the database and back, losslessly (Decimals as strings)."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot

_DECIMALS_LINE = {"quantity", "unit_price", "price_unit", "net_amount"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot_to_json(snapshot: PurchaseOrderSnapshot) -> dict[str, Any]:
    return _plain(asdict(snapshot))


def _line_values(line: dict[str, Any]) -> dict[str, Any]:
    return {k: (Decimal(v) if k in _DECIMALS_LINE else v) for k, v in line.items()}


def snapshot_from_json(data: dict[str, Any]) -> PurchaseOrderSnapshot:
    lines = tuple(OrderLine(**_line_values(line)) for line in data["lines"])
    known = {f.name for f in fields(PurchaseOrderSnapshot)}
    values = {k: v for k, v in data.items() if k in known}
    values.update(
        order_date=datetime.fromisoformat(data["order_date"]),
        total=Decimal(data["total"]),
        ship_to=PostalAddress(**data["ship_to"]),
        bill_to=PostalAddress(**data["bill_to"]),
        lines=lines,
    )
    return PurchaseOrderSnapshot(**values)
