"""The demo webshop: OCI login, browse, cart, and "Transfer cart" back to the buyer's HOOK_URL."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ocilink.dispatch.choices import channel_choices
from ocilink.protocols.oci import encode_cart_fields

from .catalogue import BY_SKU, PRODUCTS, Product
from .inbox.store import InboxStore
from .models import ShopAccount

SESSION_KEY = "demo_webshop"


def _state(request: HttpRequest) -> dict | None:
    return request.session.get(SESSION_KEY)


def _field(data: Mapping[str, str], *names: str) -> str:
    """A parameter by any of its names, case-insensitively (buyers differ in how they spell them)."""
    lowered = {key.lower(): key for key in data}
    for name in names:
        key = lowered.get(name.lower())
        if key is not None:
            return str(data.get(key, ""))
    return ""


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def oci_login(request: HttpRequest) -> HttpResponse:
    """The OCI entry point: the buyer's platform sends the browser here with credentials and HOOK_URL."""
    data = request.POST if request.method == "POST" else request.GET
    username = _field(data, "USERNAME")
    password = _field(data, "PASSWORD")
    hook_url = _field(data, "HOOK_URL")
    account = ShopAccount.objects.filter(username=username).first() if username else None
    if account is None or not account.check_password(password):
        return render(request, "demo_webshop/login_failed.html", {"has_hook": bool(hook_url)}, status=401)
    if not hook_url.startswith(("http://", "https://")):
        return render(request, "demo_webshop/login_failed.html", {"no_hook": True}, status=400)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "account": account.username,
        "customer": account.customer_name,
        "hook_url": hook_url,
        "target": _field(data, "~TARGET", "returntarget") or "_top",
        "cart": {},
    }
    return redirect("demo_webshop:catalogue")


def _require_login(request: HttpRequest) -> dict | None:
    return _state(request)


@never_cache
def catalogue(request: HttpRequest) -> HttpResponse:
    state = _require_login(request)
    if state is None:
        return render(request, "demo_webshop/not_logged_in.html", status=403)
    return render(request, "demo_webshop/catalogue.html", {"products": PRODUCTS, "state": state})


@require_POST
def add(request: HttpRequest, sku: str) -> HttpResponse:
    state = _require_login(request)
    if state is None or sku not in BY_SKU:
        return render(request, "demo_webshop/not_logged_in.html", status=403)
    quantity = _quantity(request.POST.get("quantity", "1"))
    if quantity is not None:
        cart = state["cart"]
        cart[sku] = str(Decimal(cart.get(sku, "0")) + quantity)
        request.session.modified = True
    return redirect("demo_webshop:catalogue")


def _quantity(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


@never_cache
def cart(request: HttpRequest) -> HttpResponse:
    state = _require_login(request)
    if state is None:
        return render(request, "demo_webshop/not_logged_in.html", status=403)
    if request.method == "POST":
        for sku in list(state["cart"]):
            quantity = _quantity(request.POST.get(f"qty-{sku}", "")) if f"qty-{sku}" in request.POST else None
            if request.POST.get(f"remove-{sku}") or (f"qty-{sku}" in request.POST and quantity is None):
                state["cart"].pop(sku)
            elif quantity is not None:
                state["cart"][sku] = str(quantity)
        request.session.modified = True
        return redirect("demo_webshop:cart")
    return render(request, "demo_webshop/cart.html", {"items": _items(state), "state": state})


def _items(state: dict) -> list[tuple[Product, Decimal, Decimal]]:
    items = []
    for sku, quantity in state["cart"].items():
        product = BY_SKU[sku]
        qty = Decimal(quantity)
        items.append((product, qty, (product.price * qty / product.price_unit).quantize(Decimal("0.01"))))
    return items


def _oci_line(product: Product, quantity: Decimal) -> dict[str, str]:
    line = {
        "DESCRIPTION": product.name,
        "QUANTITY": f"{quantity:.3f}",
        "UNIT": product.unit,
        "PRICE": f"{product.price:.2f}",
        "PRICEUNIT": str(product.price_unit),
        "CURRENCY": "EUR",
        "VENDORMAT": product.sku,
        "MANUFACTMAT": product.manufacturer_part,
        "MATGROUP": product.matgroup,
        "LEADTIME": str(product.leadtime_days),
        "EXT_PRODUCT_ID": product.sku,
    }
    if product.longtext:
        line["LONGTEXT"] = product.longtext
    return line


@require_POST
def transfer(request: HttpRequest) -> HttpResponse:
    """Render the auto-submitting form that posts the cart to HOOK_URL, then forget the OCI session."""
    state = _require_login(request)
    if state is None:
        return render(request, "demo_webshop/not_logged_in.html", status=403)
    fields = encode_cart_fields([_oci_line(product, qty) for product, qty, _amount in _items(state)])
    hook_url, target = state["hook_url"], state["target"]
    request.session.pop(SESSION_KEY, None)
    response = render(request, "demo_webshop/transfer.html", {"hook_url": hook_url, "target": target, "fields": fields})
    response["Cache-Control"] = "no-store"
    return response


def _inbox_store() -> InboxStore:
    return InboxStore(settings.DEMO_INBOX_DIR)


@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    """The supplier's side: every order the demo inbox received, per ordering method."""
    received = _inbox_store().list()
    channels = [
        (
            label,
            [
                (item, item.meta.get("order_id") or item.meta.get("subject") or "")
                for item in received
                if item.channel == key
            ],
        )
        for key, label in channel_choices()
    ]
    return render(request, "demo_webshop/inbox.html", {"channels": channels, "state": _state(request)})


def inbox_item(request: HttpRequest, channel: str, name: str) -> HttpResponse:
    """One received document as the supplier got it (only files the inbox itself listed)."""
    for item in _inbox_store().list(channel):
        if item.path.name == name:
            content_type = "message/rfc822" if name.endswith(".eml") else "application/xml"
            response = HttpResponse(item.read_bytes(), content_type=f"{content_type}; charset=utf-8")
            response["Content-Disposition"] = f'inline; filename="{name}"'
            return response
    raise Http404("No such received order")
