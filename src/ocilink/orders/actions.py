"""What a person can do with a purchase order. Every action locks the order, checks the transition and writes
the order's history with who and when."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .dispatches import dispatch_transition
from .models import Dispatch, PurchaseOrder
from .services import purchase_order_set_status
from .states import DispatchStatus, InvalidTransition, PurchaseOrderStatus

S = PurchaseOrderStatus


class ActionError(Exception):
    """The action is not possible now; the message says why."""


def _locked(purchase_order: PurchaseOrder) -> tuple[PurchaseOrder, Dispatch | None]:
    order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
    dispatch = Dispatch.objects.select_for_update().filter(purchase_order=order).first()
    return order, dispatch


def _dispatch_to(dispatch: Dispatch | None, status: str) -> None:
    if dispatch is not None and dispatch.status != status:
        try:
            dispatch_transition(dispatch=dispatch, status=status)
        except InvalidTransition as exc:
            raise ActionError(_("This is not possible while the order is being sent. Try again in a moment.")) from exc


def _act(
    purchase_order: PurchaseOrder,
    *,
    actor: Any,
    status: str,
    action: str,
    note: str = "",
    dispatch_status: str | None = None,
) -> PurchaseOrder:
    with transaction.atomic():
        order, dispatch = _locked(purchase_order)
        if dispatch is not None and dispatch.status == DispatchStatus.SENDING and dispatch_status is not None:
            raise ActionError(_("The order is being sent right now. Wait for the outcome, then try again."))
        try:
            purchase_order_set_status(purchase_order=order, status=status, action=action, actor=actor, note=note)
        except InvalidTransition as exc:
            raise ActionError(str(exc)) from exc
        if dispatch_status is not None:
            _dispatch_to(dispatch, dispatch_status)
    return order


def purchase_order_retry_now(*, purchase_order: PurchaseOrder, actor: Any) -> PurchaseOrder:
    """Send again now, with the same document (same payloadID, file name and Message-ID)."""
    return _act(
        purchase_order, actor=actor, status=S.SENDING, action="retry_now", dispatch_status=DispatchStatus.PENDING
    )


def purchase_order_hold(*, purchase_order: PurchaseOrder, actor: Any, note: str = "") -> PurchaseOrder:
    return _act(
        purchase_order,
        actor=actor,
        status=S.HELD,
        action="hold",
        note=note or _("Held for inspection."),
        dispatch_status=DispatchStatus.HELD,
    )


def purchase_order_release(*, purchase_order: PurchaseOrder, actor: Any) -> PurchaseOrder:
    if purchase_order.status != S.HELD:
        raise ActionError(_("Only an order that is held can be released."))
    return _act(purchase_order, actor=actor, status=S.SENDING, action="release", dispatch_status=DispatchStatus.PENDING)


def purchase_order_cancel(*, purchase_order: PurchaseOrder, actor: Any, note: str = "") -> PurchaseOrder:
    return _act(
        purchase_order,
        actor=actor,
        status=S.CANCELLED,
        action="cancel",
        note=note,
        dispatch_status=DispatchStatus.CANCELLED,
    )


def purchase_order_placed_by_phone(*, purchase_order: PurchaseOrder, actor: Any, note: str) -> PurchaseOrder:
    """The order was placed another way (phone, the supplier's portal); nothing more is sent."""
    if not note.strip():
        raise ActionError(_("Say how and with whom the order was placed, for the order's history."))
    return _act(
        purchase_order,
        actor=actor,
        status=S.TO_BE_RECEIVED,
        action="placed_by_phone",
        note=note.strip(),
        dispatch_status=DispatchStatus.CANCELLED,
    )


def purchase_order_register_received(*, purchase_order: PurchaseOrder, actor: Any, note: str = "") -> PurchaseOrder:
    return _act(purchase_order, actor=actor, status=S.RECEIVED, action="received", note=note)
