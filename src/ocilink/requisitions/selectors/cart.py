"""Reads on a member's cart: the draft order request being filled, with its lines and totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ocilink.accounts.models import Membership, Organization
from ocilink.core.money import totals_per_currency
from ocilink.requisitions.models import OrderRequest, OrderRequestLine
from ocilink.requisitions.states import OrderRequestStatus


@dataclass(frozen=True)
class CartView:
    order_request: OrderRequest | None
    lines: list[OrderRequestLine]
    totals: dict[str, Decimal]
    lines_without_price: int
    was_submitted: bool = False


def cart_for(*, organization: Organization, requester: Any) -> CartView:
    """The requester's cart with its lines and totals per currency."""
    order_request = OrderRequest.objects.filter(
        organization=organization, requester=requester, status=OrderRequestStatus.DRAFT
    ).first()
    if order_request is None:
        return CartView(None, [], {}, 0)
    lines = list(order_request.lines.select_related("supplier", "cart_return", "ledger_account").order_by("position"))
    totals = totals_per_currency((line.currency, line.net_amount) for line in lines)
    return CartView(
        order_request,
        lines,
        totals,
        sum(1 for line in lines if line.unit_price is None),
        was_submitted=order_request.events.exists(),
    )


def own_order_request_of_line(*, membership: Membership, line_id: int) -> OrderRequest | None:
    """The member's own order request (in any state) holding this line, else None."""
    return OrderRequest.objects.filter(
        organization_id=membership.organization_id, requester_id=membership.user_id, lines__pk=line_id
    ).first()
