"""Purchase orders: their numbers, their history, and their state changes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ocilink.accounts.models import Organization

from .models import OrderNumberSequence, PurchaseOrder, PurchaseOrderEvent
from .states import PurchaseOrderStatus, ensure_transition


def order_number_next(*, organization: Organization, year: int) -> str:
    """The next number of this organization in this year, e.g. ``PO-2026-000123``. Call inside a transaction."""
    sequence, _created = OrderNumberSequence.objects.select_for_update().get_or_create(
        organization=organization, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"PO-{year}-{sequence.last:06d}"


def purchase_order_event(
    *,
    purchase_order: PurchaseOrder,
    action: str,
    actor: Any = None,
    from_status: str = "",
    note: str = "",
) -> None:
    PurchaseOrderEvent.objects.create(
        purchase_order=purchase_order,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=purchase_order.status,
        note=note,
    )


def purchase_order_set_status(
    *,
    purchase_order: PurchaseOrder,
    status: str,
    action: str,
    actor: Any = None,
    note: str = "",
) -> PurchaseOrder:
    """Move a (locked) purchase order to ``status`` and write the event. Call inside a transaction."""
    current = purchase_order.status
    if current != status:
        ensure_transition(current, status)
        purchase_order.status = status
    if status == PurchaseOrderStatus.TO_BE_RECEIVED and purchase_order.sent_at is None:
        purchase_order.sent_at = timezone.now()
    if status == PurchaseOrderStatus.RECEIVED:
        purchase_order.received_at = timezone.now()
    purchase_order.status_note = note
    purchase_order.save(update_fields=["status", "sent_at", "received_at", "status_note"])
    purchase_order_event(purchase_order=purchase_order, action=action, actor=actor, from_status=current, note=note)
    return purchase_order
