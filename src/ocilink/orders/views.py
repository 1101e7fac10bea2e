"""Purchase orders: the list, the detail with its delivery evidence, the actions and the documents."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ocilink.accounts.decorators import membership_required
from ocilink.accounts.models import Role
from ocilink.accounts.permissions import MembershipRequest
from ocilink.core import raw_documents
from ocilink.core.raw_documents import RawDocumentMissing

from . import actions
from .models import DispatchAttempt, DispatchDocument, PurchaseOrder
from .selectors import ALL, SHOWS, Cursor, Show, may_act_on, order_list_page, purchase_orders_for
from .snapshots import snapshot_from_json
from .states import PurchaseOrderStatus

# Rows per page of the list; the page runs the same queries whatever the choice.
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25

# The filter of the list, in the order shown, with its words.
SHOW_LABELS = (
    ("", _lazy("All")),
    ("attention", _lazy("Needs attention")),
    ("sending", PurchaseOrderStatus.SENDING.label),
    ("to_be_received", PurchaseOrderStatus.TO_BE_RECEIVED.label),
    ("received", PurchaseOrderStatus.RECEIVED.label),
    ("cancelled", PurchaseOrderStatus.CANCELLED.label),
)


def _page_size(request: MembershipRequest) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


@membership_required
def order_list(request: MembershipRequest) -> HttpResponse:
    """The orders this member sees, newest first, a page at a time; the filter "needs attention" lists every order
    a person must look at (failed, held, or sending for too long), each with what to do."""
    membership = request.membership
    show: Show = SHOWS.get(request.GET.get("status", ""), ALL)
    size = _page_size(request)
    after = Cursor.parse(request.GET.get("after"))
    before = None if after else Cursor.parse(request.GET.get("before"))
    page = order_list_page(membership=membership, show=show, size=size, after=after, before=before)

    def query(**extra: object) -> str:
        params = {"status": show.key, "per_page": size if size != DEFAULT_PAGE_SIZE else "", **extra}
        return "?" + urlencode({key: value for key, value in params.items() if value not in ("", None)})

    return render(
        request,
        "orders/list.html",
        {
            "page": page,
            "orders": page.rows,
            "show": show.key,
            "shows": [(key, label, query(status=key)) for key, label in SHOW_LABELS],
            "per_page": size,
            "page_sizes": [(choice, query(per_page=choice)) for choice in PAGE_SIZES],
            "newest_query": query(),
            "previous_query": query(before=page.previous) if page.previous else None,
            "next_query": query(after=page.next) if page.next else None,
            "acts_on_all": membership.role == Role.ADMINISTRATOR or membership.user.is_staff,
            "attention_minutes": settings.ORDERS_SENDING_ATTENTION_MINUTES,
        },
    )


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


def _download(stored: str, *, filename: str, content_type: str) -> HttpResponseBase:
    """Stream a raw document byte for byte (never read into memory whole); an empty one when nothing was kept."""
    response: HttpResponseBase
    if not stored:
        response = HttpResponse(b"", content_type=content_type)
    else:
        try:
            handle = raw_documents.open_document(stored)
        except RawDocumentMissing as exc:
            raise Http404("The stored document is missing") from exc
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@membership_required
def order_document(request: MembershipRequest, pk: int) -> HttpResponseBase:
    order = _order(request, pk)
    document = get_object_or_404(DispatchDocument, dispatch__purchase_order=order)
    content_type = "application/pdf" if document.name.endswith(".pdf") else "application/xml"
    return _download(document.content.name or "", filename=document.name, content_type=content_type)


@membership_required
def attempt_payload(request: MembershipRequest, pk: int, number: int, part: str) -> HttpResponseBase:
    """What one attempt sent (secrets redacted) or what the supplier's system answered, byte for byte."""
    order = _order(request, pk)
    attempt = get_object_or_404(DispatchAttempt, dispatch__purchase_order=order, number=number)
    if part not in {"request", "response"}:
        raise Http404("No such part")
    return _download(
        getattr(attempt, part).name or "",
        filename=f"{order.number}-try{number}-{part}.txt",
        content_type="application/octet-stream",
    )
