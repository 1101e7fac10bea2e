"""Many purchase orders at once, with ``bulk_create``: for the list tests and the orders-list benchmark.

Each order gets the history the services would have written: its "created" event (into *sending*) when it was
made and, unless it is still sending, the event of its last state change a few minutes later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ocilink.accounts.models import Organization
from ocilink.orders.models import PurchaseOrder, PurchaseOrderEvent
from ocilink.orders.states import PurchaseOrderStatus
from ocilink.requisitions.models import OrderRequest
from ocilink.requisitions.states import OrderRequestStatus
from ocilink.suppliers.models import Supplier

S = PurchaseOrderStatus

# Which event leads into each final state (as the services name them).
_ACTION = {
    S.TO_BE_RECEIVED: "delivered",
    S.RECEIVED: "received",
    S.FAILED: "failed",
    S.HELD: "held_test_order",
    S.CANCELLED: "cancelled",
}


def seed_orders(
    *,
    organization: Organization,
    buyers: Sequence[Any],
    suppliers: Sequence[Supplier],
    statuses: Sequence[str],
    newest: datetime,
    spacing: timedelta = timedelta(minutes=7),
    snapshot: dict[str, Any] | None = None,
    batch_size: int = 2000,
) -> list[PurchaseOrder]:
    """One purchase order per entry of ``statuses``, newest first: order ``i`` is made ``i * spacing`` before
    ``newest``, by ``buyers[i % len(buyers)]`` at ``suppliers[i % len(suppliers)]``. Returns them in that order."""
    order_request = OrderRequest.objects.create(
        organization=organization, requester=buyers[0], status=OrderRequestStatus.APPROVED, submitted_at=newest
    )
    year = newest.year
    first = PurchaseOrder.objects.filter(organization=organization).count() + 1  # numbers go on after earlier ones
    orders = [
        PurchaseOrder(
            organization=organization,
            number=f"PO-{year}-{first + len(statuses) - 1 - i:06d}",
            order_request=order_request,
            supplier=suppliers[i % len(suppliers)],
            connection=suppliers[i % len(suppliers)].external_connection,
            buyer=buyers[i % len(buyers)],
            status=status,
            currency="EUR",
            total=Decimal(10 + i % 900) + Decimal("0.50"),
            snapshot=snapshot or {},
            created_at=newest - i * spacing,
        )
        for i, status in enumerate(statuses)
    ]
    orders = PurchaseOrder.objects.bulk_create(orders, batch_size=batch_size)
    events = []
    for order in orders:
        events.append(
            PurchaseOrderEvent(purchase_order=order, at=order.created_at, action="created", to_status=S.SENDING)
        )
        if order.status != S.SENDING:
            events.append(
                PurchaseOrderEvent(
                    purchase_order=order,
                    at=order.created_at + timedelta(minutes=2),
                    action=_ACTION[S(order.status)],
                    from_status=S.SENDING,
                    to_status=order.status,
                )
            )
    PurchaseOrderEvent.objects.bulk_create(events, batch_size=batch_size)
    return orders
