"""Money arithmetic: Decimal only, rounded half up to cents as on a purchase order."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def net_amount(*, unit_price: Decimal, quantity: Decimal, price_unit: Decimal) -> Decimal:
    """Price per price unit x quantity / price unit, rounded to cents."""
    return (unit_price * quantity / price_unit).quantize(CENT, rounding=ROUND_HALF_UP)


def totals_per_currency(amounts: Iterable[tuple[str, Decimal | None]]) -> dict[str, Decimal]:
    """Sum ``(currency, amount)`` pairs per currency, skipping lines without a price, in currency order."""
    totals: dict[str, Decimal] = {}
    for currency, amount in amounts:
        if amount is None or not currency:
            continue
        totals[currency] = totals.get(currency, Decimal("0.00")) + amount
    return dict(sorted(totals.items()))
