"""Writes on order requests: the cart (a draft order request) and its lines."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ocilink.accounts.models import DeliveryAddress, Organization
from ocilink.connections.models import Connection
from ocilink.protocols.oci import OciCart
from ocilink.suppliers.models import Supplier

from .models import OrderRequest, OrderRequestLine
from .states import OrderRequestStatus, ensure_transition

# The largest quantity OCI allows: 11 integer digits, 3 decimals.
MAX_QUANTITY = Decimal("99999999999.999")


class CartError(Exception):
    """A change to the cart that cannot be made; the message says why."""


def cart_get_or_create(*, organization: Organization, requester, delivery_address: DeliveryAddress | None = None):  # type: ignore[no-untyped-def]
    """The requester's draft order request in this organization, created on first use."""
    cart = OrderRequest.objects.filter(
        organization=organization, requester=requester, status=OrderRequestStatus.DRAFT
    ).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return OrderRequest.objects.create(
                organization=organization, requester=requester, delivery_address=delivery_address
            )
    except IntegrityError:  # created at the same moment by another request of the same user
        return OrderRequest.objects.get(organization=organization, requester=requester, status=OrderRequestStatus.DRAFT)


def order_request_add_punchout_lines(
    *,
    organization: Organization,
    requester,  # type: ignore[no-untyped-def]
    supplier: Supplier,
    connection: Connection,
    delivery_address: DeliveryAddress | None,
    cart_return,  # type: ignore[no-untyped-def]
    cart: OciCart,
) -> list[OrderRequestLine]:
    """Append every line of a parsed OCI cart to the requester's cart, keeping the fields as received."""
    order_request = cart_get_or_create(
        organization=organization, requester=requester, delivery_address=delivery_address
    )
    order_request = OrderRequest.objects.select_for_update().get(pk=order_request.pk)
    if order_request.delivery_address_id is None and delivery_address is not None:
        order_request.delivery_address = delivery_address
    position = (order_request.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    warnings_by_line: dict[int | None, list[str]] = {}
    for problem in cart.warnings:
        warnings_by_line.setdefault(problem.line, []).append(problem.message)
    lines = []
    for offset, line in enumerate(cart.lines):
        assert line.quantity is not None, "a cart with errors is never imported"
        lines.append(
            OrderRequestLine(
                order_request=order_request,
                position=position + offset,
                supplier=supplier,
                connection=connection,
                cart_return=cart_return,
                oci_index=line.index,
                description=(line.description or line.matnr or "")[:1000],
                quantity=line.quantity,
                unit=(line.unit or "")[:20],
                unit_price=line.unit_price,
                price_unit=line.price_unit,
                currency=line.currency or "",
                vendormat=(line.vendormat or "")[:200],
                manufactmat=(line.manufactmat or "")[:200],
                matgroup=(line.matgroup or "")[:200],
                leadtime_days=line.leadtime_days,
                longtext=line.longtext or "",
                oci_fields=dict(line.fields),
                oci_extra=dict(line.extra),
                warnings=warnings_by_line.get(line.index, []),
            )
        )
    created = OrderRequestLine.objects.bulk_create(lines, batch_size=500)
    order_request.save(update_fields=["delivery_address", "updated_at"])
    return created


def _draft_line(*, line_id: int, order_request: OrderRequest) -> OrderRequestLine:
    if order_request.status != OrderRequestStatus.DRAFT:
        raise CartError(_("This order request was submitted and can no longer be changed here."))
    line = order_request.lines.filter(pk=line_id).first()
    if line is None:
        raise CartError(_("This line is no longer in your cart."))
    return line


@transaction.atomic
def cart_line_set_quantity(*, order_request: OrderRequest, line_id: int, quantity: str) -> OrderRequestLine:
    """Change a line's quantity; it must be a positive number with at most 3 decimals."""
    line = _draft_line(line_id=line_id, order_request=order_request)
    try:
        value = Decimal(quantity.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise CartError(
            _("“%(value)s” is not a quantity. Enter a number such as 2 or 1.5.") % {"value": quantity}
        ) from exc
    if not value.is_finite() or value <= 0:
        raise CartError(_("The quantity must be more than 0. Remove the line to drop it."))
    if value > MAX_QUANTITY or value != value.quantize(Decimal("0.001")):
        raise CartError(_("The quantity may have at most 11 digits before and 3 after the decimal point."))
    line.quantity = value
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_line_remove(*, order_request: OrderRequest, line_id: int) -> None:
    line = _draft_line(line_id=line_id, order_request=order_request)
    line.delete()


class SubmitError(Exception):
    """An order request cannot be submitted; the message says what to change."""


def order_request_submit(*, order_request: OrderRequest, requester, reference: str = ""):  # type: ignore[no-untyped-def]
    """Submit the cart. Until approval rules exist, a submitted request is approved at once and ordered.

    One transaction: the request's state, its purchase orders and their dispatches are written together, and the
    dispatch tasks are enqueued only when it commits.
    """
    from ocilink.orders.services import OrderingError, purchase_orders_create

    with transaction.atomic():
        locked = OrderRequest.objects.select_for_update().get(pk=order_request.pk)
        if locked.requester_id != requester.pk:
            raise SubmitError(_("Only the requester can submit this order request."))
        if locked.status != OrderRequestStatus.DRAFT:
            raise SubmitError(_("This order request was already submitted."))
        if not locked.lines.exists():
            raise SubmitError(_("Your cart is empty."))
        ensure_transition(locked.status, OrderRequestStatus.SUBMITTED)
        locked.status = OrderRequestStatus.SUBMITTED
        if reference:
            locked.reference = reference[:100]
        locked.save(update_fields=["status", "reference", "updated_at"])
        ensure_transition(locked.status, OrderRequestStatus.APPROVED)
        locked.status = OrderRequestStatus.APPROVED
        locked.save(update_fields=["status", "updated_at"])
        try:
            purchase_orders = purchase_orders_create(order_request=locked, actor=requester)
        except OrderingError as exc:  # raised inside the transaction: nothing of the request is kept
            raise SubmitError(str(exc)) from exc
    return purchase_orders
