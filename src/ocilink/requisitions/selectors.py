"""Reads on order requests, always scoped to an organization."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ocilink.accounts.models import Organization
from ocilink.core.money import totals_per_currency

from .models import OrderRequest, OrderRequestLine
from .states import OrderRequestStatus


@dataclass(frozen=True)
class CartView:
    order_request: OrderRequest | None
    lines: list[OrderRequestLine]
    totals: dict[str, Decimal]
    lines_without_price: int


def cart_for(*, organization: Organization, requester) -> CartView:  # type: ignore[no-untyped-def]
    """The requester's cart with its lines and totals per currency."""
    order_request = OrderRequest.objects.filter(
        organization=organization, requester=requester, status=OrderRequestStatus.DRAFT
    ).first()
    if order_request is None:
        return CartView(None, [], {}, 0)
    lines = list(order_request.lines.select_related("supplier", "cart_return").order_by("position"))
    totals = totals_per_currency((line.currency, line.net_amount) for line in lines)
    return CartView(order_request, lines, totals, sum(1 for line in lines if line.unit_price is None))
