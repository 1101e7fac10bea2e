"""Purchase orders: the list, the detail with its delivery evidence, the actions and the documents."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocilink.accounts.decorators import membership_required
from ocilink.accounts.permissions import MembershipRequest

from . import actions
from .models import DispatchAttempt, DispatchDocument, PurchaseOrder
from .selectors import may_act_on, purchase_orders_for
from .snapshots import snapshot_from_json


@membership_required
def order_list(request: MembershipRequest) -> HttpResponse:
    orders = purchase_orders_for(membership=request.membership)[:200]
    return render(request, "orders/list.html", {"orders": orders})


def _order(request: MembershipRequest, pk: int) -> PurchaseOrder:
    return get_object_or_404(purchase_orders_for(membership=request.membership), pk=pk)


@membership_required
def order_detail(request: MembershipRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    dispatch = getattr(order, "dispatch", None)
    attempts = list(dispatch.attempts.order_by("number")) if dispatch else []
    document = DispatchDocument.objects.filter(dispatch=dispatch).only("name", "built_at").first() if dispatch else None
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "snapshot": snapshot_from_json(order.snapshot),
            "dispatch": dispatch,
            "attempts": attempts,
            "document": document,
            "events": order.events.select_related("actor"),
            "may_act": may_act_on(membership=request.membership, purchase_order=order),
        },
    )


ACTIONS: dict[str, Callable[..., object]] = {
    "retry": lambda order, user, note: actions.purchase_order_retry_now(purchase_order=order, actor=user),
    "hold": lambda order, user, note: actions.purchase_order_hold(purchase_order=order, actor=user, note=note),
    "release": lambda order, user, note: actions.purchase_order_release(purchase_order=order, actor=user),
    "cancel": lambda order, user, note: actions.purchase_order_cancel(purchase_order=order, actor=user, note=note),
    "phone": lambda order, user, note: actions.purchase_order_placed_by_phone(
        purchase_order=order, actor=user, note=note
    ),
    "received": lambda order, user, note: actions.purchase_order_register_received(
        purchase_order=order, actor=user, note=note
    ),
}


@require_POST
@membership_required
def order_action(request: MembershipRequest, pk: int, action: str) -> HttpResponse:
    order = _order(request, pk)
    if action not in ACTIONS:
        raise Http404("No such action")
    if not may_act_on(membership=request.membership, purchase_order=order):
        messages.error(request, _("Only the buyer of this order or an administrator can do that."))
        return redirect("orders:detail", pk=order.pk)
    try:
        ACTIONS[action](order, request.user, request.POST.get("note", ""))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    return redirect("orders:detail", pk=order.pk)


def _download(content: bytes, name: str) -> HttpResponse:
    content_type = "application/pdf" if name.endswith(".pdf") else "application/xml"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@membership_required
def order_document(request: MembershipRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    document = get_object_or_404(DispatchDocument, dispatch__purchase_order=order)
    return _download(bytes(document.content), document.name)


@membership_required
def attempt_payload(request: MembershipRequest, pk: int, number: int, part: str) -> HttpResponse:
    """What one attempt sent (secrets redacted) or what the supplier's system answered, byte for byte."""
    order = _order(request, pk)
    attempt = get_object_or_404(DispatchAttempt, dispatch__purchase_order=order, number=number)
    if part not in {"request", "response"}:
        raise Http404("No such part")
    content = bytes(getattr(attempt, part))
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{order.number}-try{number}-{part}.txt"'
    return response
