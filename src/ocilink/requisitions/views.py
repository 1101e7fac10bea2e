"""The cart (the buyer's draft order request), the order requests, and what waits for my approval."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocilink.accounts.decorators import membership_required
from ocilink.accounts.permissions import MembershipRequest
from ocilink.core.keyset import Cursor, KeysetPage
from ocilink.suppliers.ledger import LedgerError, ledger_line_options
from ocilink.suppliers.ledger_forms import LineAccountForm

from .cart import CartError, cart_line_remove, cart_line_set_quantity, ledger_line_set_account
from .forms import DecisionForm, SubmitForm
from .handoff import order_request_approve_and_place, order_request_submit_and_place
from .models import OrderRequest, OrderRequestLine
from .selectors import (
    RequestRow,
    cart_for,
    cart_request_for,
    order_request_detail,
    order_request_list_page,
    order_requests_visible_to,
    own_order_request_of_line,
    waiting_page,
)
from .services import UNCHANGED, ApprovalError, ReopenError, SubmitError, order_request_reject, order_request_reopen
from .states import OrderRequestStatus

# Rows per page of the two lists; a page runs the same queries whatever the choice and however deep it is.
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25


@membership_required
def cart(request: MembershipRequest) -> HttpResponse:
    membership = request.membership
    view = cart_for(organization=membership.organization, requester=request.user)
    initial = {}
    if view.order_request is not None:
        initial = {"reference": view.order_request.reference, "cost_centre": view.order_request.cost_centre_id}
    form = SubmitForm(organization=membership.organization, initial=initial)
    ledger = ledger_line_options(organization=membership.organization, lines=view.lines)
    return render(request, "requisitions/cart.html", {"cart": view, "submit_form": form, "ledger": ledger})


def _own_cart(request: MembershipRequest) -> OrderRequest | None:
    membership = request.membership
    return cart_request_for(organization=membership.organization, requester=request.user)


def _line_request(request: MembershipRequest, line_id: int) -> OrderRequest:
    """The member's own request holding the line (the service refuses it unless it is the draft)."""
    order_request = own_order_request_of_line(membership=request.membership, line_id=line_id)
    if order_request is None:
        raise Http404("No such line in your order requests")
    return order_request


@require_POST
@membership_required
def line_update(request: MembershipRequest, line_id: int) -> HttpResponse:
    try:
        order_request = _line_request(request, line_id)
        cart_line_set_quantity(order_request=order_request, line_id=line_id, quantity=request.POST.get("quantity", ""))
    except CartError as exc:
        messages.error(request, str(exc))
    return redirect("requisitions:cart")


@require_POST
@membership_required
def line_remove(request: MembershipRequest, line_id: int) -> HttpResponse:
    try:
        order_request = _line_request(request, line_id)
        cart_line_remove(order_request=order_request, line_id=line_id)
    except CartError as exc:
        messages.error(request, str(exc))
    return redirect("requisitions:cart")


@require_POST
@membership_required
def submit(request: MembershipRequest) -> HttpResponse:
    membership = request.membership
    order_request = _own_cart(request)
    if order_request is None:
        messages.error(request, _("Your cart is empty."))
        return redirect("requisitions:cart")
    form = SubmitForm(request.POST, organization=membership.organization)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("requisitions:cart")
    cost_centre = form.cleaned_data["cost_centre"] if "cost_centre" in request.POST else UNCHANGED
    try:
        purchase_orders = order_request_submit_and_place(
            order_request=order_request,
            requester=request.user,
            reference=form.cleaned_data["reference"],
            cost_centre=cost_centre,
        )
    except SubmitError as exc:
        messages.error(request, str(exc))
        return redirect("requisitions:cart")
    if purchase_orders:
        numbers = ", ".join(po.number for po in purchase_orders)
        messages.success(request, _("Ordered: %(numbers)s. You can follow them below.") % {"numbers": numbers})
        return redirect("orders:list")
    messages.success(
        request,
        _("Order request #%(number)s is submitted for approval.") % {"number": order_request.pk},
    )
    return redirect("requisitions:request_detail", pk=order_request.pk)


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _cursors(request: HttpRequest) -> tuple[Cursor | None, Cursor | None]:
    after = Cursor.parse(request.GET.get("after"))
    return after, None if after else Cursor.parse(request.GET.get("before"))


def _navigation(page: KeysetPage[RequestRow], size: int, newest_first: bool, **fixed: str) -> dict[str, object]:
    """The links of a list page: to its top, to the pages before and after it, and to the other page sizes; each
    keeps the list's filter (``fixed``)."""

    def query(**extra: object) -> str:
        params = {**fixed, "per_page": size if size != DEFAULT_PAGE_SIZE else "", **extra}
        return "?" + urlencode({key: value for key, value in params.items() if value not in ("", None)})

    return {
        "page": page,
        "rows": page.rows,
        "per_page": size,
        "page_sizes": [(choice, query(per_page=choice)) for choice in PAGE_SIZES],
        "top_query": query(),
        "previous_query": query(before=page.previous) if page.previous else None,
        "next_query": query(after=page.next) if page.next else None,
        "top_label": _("Newest") if newest_first else _("Oldest"),
        "previous_label": _("Newer") if newest_first else _("Older"),
        "next_label": _("Older") if newest_first else _("Newer"),
    }


@membership_required
def request_list(request: MembershipRequest) -> HttpResponse:
    """The order requests this member sees, newest first, a page at a time, all or of one status."""
    status = request.GET.get("status", "")
    if status not in OrderRequestStatus.values:
        status = ""
    size = _page_size(request)
    after, before = _cursors(request)
    page = order_request_list_page(membership=request.membership, status=status, size=size, after=after, before=before)
    context = _navigation(page, size, newest_first=True, status=status)
    context["status"] = status
    context["statuses"] = [(value, label, _status_query(value, size)) for value, label in OrderRequestStatus.choices]
    context["all_query"] = _status_query("", size)
    return render(request, "requisitions/request_list.html", context)


def _status_query(status: str, size: int) -> str:
    params = {"status": status, "per_page": size if size != DEFAULT_PAGE_SIZE else ""}
    return "?" + urlencode({key: value for key, value in params.items() if value})


@membership_required
def waiting(request: MembershipRequest) -> HttpResponse:
    """What waits for this member's approval, oldest first, a page at a time."""
    size = _page_size(request)
    after, before = _cursors(request)
    page = waiting_page(membership=request.membership, size=size, after=after, before=before)
    return render(request, "requisitions/waiting.html", _navigation(page, size, newest_first=False))


def _visible(request: MembershipRequest, pk: int) -> OrderRequest:
    """The request if this member may see it; 404 otherwise (another organization's request does not exist here)."""
    requests = order_requests_visible_to(membership=request.membership)
    return get_object_or_404(
        requests.select_related("requester", "cost_centre", "delivery_address"),
        pk=pk,
    )


@membership_required
def request_detail(request: MembershipRequest, pk: int) -> HttpResponse:
    order_request = _visible(request, pk)
    detail = order_request_detail(membership=request.membership, order_request=order_request)
    return render(
        request,
        "requisitions/request_detail.html",
        {"detail": detail, "order_request": order_request, "form": DecisionForm()},
    )


def _comment(request: HttpRequest) -> str | None:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is too long: at most 2,000 characters."))
        return None
    return form.cleaned_data["comment"]


@require_POST
@membership_required
def request_approve(request: MembershipRequest, pk: int) -> HttpResponse:
    order_request = _visible(request, pk)
    comment = _comment(request)
    if comment is not None:
        try:
            decided = order_request_approve_and_place(
                order_request=order_request, approver=request.user, comment=comment
            )
        except ApprovalError as exc:
            messages.error(request, str(exc))
        else:
            if decided.status == OrderRequestStatus.APPROVED:
                numbers = ", ".join(decided.purchase_orders.order_by("number").values_list("number", flat=True))
                messages.success(request, _("Approved and ordered: %(numbers)s.") % {"numbers": numbers})
            else:
                messages.success(request, _("Approved. The next level's approvers decide now."))
    return redirect("requisitions:request_detail", pk=order_request.pk)


@require_POST
@membership_required
def request_reject(request: MembershipRequest, pk: int) -> HttpResponse:
    order_request = _visible(request, pk)
    comment = _comment(request)
    if comment is not None:
        try:
            order_request_reject(order_request=order_request, approver=request.user, comment=comment)
        except ApprovalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Rejected. The requester sees your comment on the request."))
    return redirect("requisitions:request_detail", pk=order_request.pk)


@require_POST
@membership_required
def request_reopen(request: MembershipRequest, pk: int) -> HttpResponse:
    order_request = _visible(request, pk)
    try:
        order_request_reopen(order_request=order_request, actor=request.user)
    except ReopenError as exc:
        messages.error(request, str(exc))
        return redirect("requisitions:request_detail", pk=order_request.pk)
    messages.success(
        request,
        _("Order request #%(number)s is your cart again. Change it and submit it: it needs approval again.")
        % {"number": order_request.pk},
    )
    return redirect("requisitions:cart")


@require_POST
@membership_required
def line_account(request: MembershipRequest, line_id: int) -> HttpResponse:
    """Book a line of the user's own cart (a draft order request) to another account, where the table allows it."""
    organization = request.membership.organization
    line = get_object_or_404(
        OrderRequestLine.objects.select_related("order_request"),
        pk=line_id,
        order_request__organization=organization,
        order_request__requester=request.user,
        order_request__status=OrderRequestStatus.DRAFT,
    )
    form = LineAccountForm(request.POST, organization=organization)
    if not form.is_valid():
        messages.error(request, _("Choose one of your organization's active ledger accounts."))
        return redirect("requisitions:cart")
    account = form.cleaned_data["account"]
    try:
        ledger_line_set_account(line=line, account=account, actor=request.user)
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Line %(position)s now books to %(account)s.") % {"position": line.position, "account": account},
        )
    return redirect("requisitions:cart")
