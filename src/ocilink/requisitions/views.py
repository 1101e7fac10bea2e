"""The cart: the buyer's draft order request."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocilink.accounts.decorators import membership_required

from .selectors import cart_for
from .services import CartError, SubmitError, cart_line_remove, cart_line_set_quantity, order_request_submit


@membership_required
def cart(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    return render(
        request,
        "requisitions/cart.html",
        {"cart": cart_for(organization=membership.organization, requester=request.user)},
    )


def _own_cart(request: HttpRequest):  # type: ignore[no-untyped-def]
    membership = request.membership  # type: ignore[attr-defined]
    return cart_for(organization=membership.organization, requester=request.user).order_request


@require_POST
@membership_required
def line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    order_request = _own_cart(request)
    try:
        if order_request is None:
            raise CartError(_("Your cart is empty."))
        cart_line_set_quantity(order_request=order_request, line_id=line_id, quantity=request.POST.get("quantity", ""))
    except CartError as exc:
        messages.error(request, str(exc))
    return redirect("requisitions:cart")


@require_POST
@membership_required
def line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    order_request = _own_cart(request)
    try:
        if order_request is None:
            raise CartError(_("Your cart is empty."))
        cart_line_remove(order_request=order_request, line_id=line_id)
    except CartError as exc:
        messages.error(request, str(exc))
    return redirect("requisitions:cart")


@require_POST
@membership_required
def submit(request: HttpRequest) -> HttpResponse:
    order_request = _own_cart(request)
    if order_request is None:
        messages.error(request, _("Your cart is empty."))
        return redirect("requisitions:cart")
    try:
        purchase_orders = order_request_submit(
            order_request=order_request, requester=request.user, reference=request.POST.get("reference", "").strip()
        )
    except SubmitError as exc:
        messages.error(request, str(exc))
        return redirect("requisitions:cart")
    numbers = ", ".join(po.number for po in purchase_orders)
    messages.success(request, _("Ordered: %(numbers)s. You can follow them below.") % {"numbers": numbers})
    return redirect("orders:list")
