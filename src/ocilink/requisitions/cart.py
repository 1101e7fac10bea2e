"""Writes on the cart (the requester's draft order request): lines from a punchout, quantities, removals, the
ledger account of a line.

Every change locks the request row first (``select_for_update``; on SQLite the IMMEDIATE transaction mode serialises
writers) and is refused once the request left draft.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocilink.accounts.audit import audit_log
from ocilink.protocols.oci import OciCart
from ocilink.suppliers.ledger import LedgerError, LedgerResolver, ledger_table_for
from ocilink.suppliers.models import LEDGER_CODE_MAX_LENGTH, LedgerAccount

from .models import OrderRequest, OrderRequestLine
from .states import OrderRequestStatus


class CartError(Exception):
    """A change to the cart that cannot be made; the message says why."""


class CartFull(CartError):
    """The lines would make the cart longer than allowed; nothing was added."""

    def __init__(self, *, in_cart: int, count: int, limit: int) -> None:
        self.in_cart, self.count, self.limit = in_cart, count, limit
        super().__init__(
            ngettext(
                "Your cart already holds %(in_cart)s line. Together with the %(count)s from the webshop that would "
                "be more than %(limit)s, the most a cart may hold, so nothing was added. Submit your cart or remove "
                "lines first, then open the webshop again and transfer its cart.",
                "Your cart already holds %(in_cart)s lines. Together with the %(count)s from the webshop that would "
                "be more than %(limit)s, the most a cart may hold, so nothing was added. Submit your cart or remove "
                "lines first, then open the webshop again and transfer its cart.",
                in_cart,
            )
            % {
                "in_cart": number_format(in_cart, force_grouping=True),
                "count": number_format(count, force_grouping=True),
                "limit": number_format(limit, force_grouping=True),
            }
        )


def order_request_lock(order_request: OrderRequest) -> OrderRequest:
    """The request's row, locked until the end of the caller's transaction."""
    return OrderRequest.objects.select_for_update().get(pk=order_request.pk)


# The largest quantity OCI allows: 11 integer digits, 3 decimals.
MAX_QUANTITY = Decimal("99999999999.999")


# How often a cart is looked for and made before the error is let through: a draft made by another request at the
# same moment is found on the next look, unless it was submitted at once too.
CART_CREATE_ATTEMPTS = 3


def cart_lock_or_create(*, organization_id: int, requester_id: int, delivery_address_id: int | None) -> OrderRequest:
    """The requester's draft order request in this organization, locked until the end of the caller's transaction;
    created on first use. One query when it exists: the lock is taken by the read that finds it, and a request
    submitted meanwhile is no longer found once its lock is released (PostgreSQL reads the row again), so it never
    gets lines of a new punchout."""
    drafts = OrderRequest.objects.select_for_update().filter(
        organization_id=organization_id, requester_id=requester_id, status=OrderRequestStatus.DRAFT
    )
    for attempt in range(CART_CREATE_ATTEMPTS):
        # At most one draft per requester (a unique index): read without an ORDER BY.
        cart = next(iter(drafts.order_by()[:1]), None)
        if cart is not None:
            return cart
        try:
            with transaction.atomic():
                return OrderRequest.objects.create(
                    organization_id=organization_id, requester_id=requester_id, delivery_address_id=delivery_address_id
                )
        except IntegrityError:  # created at the same moment by another request of the same user: lock that one
            if attempt == CART_CREATE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class LinesAdded:
    """What an import of a punchout's lines did: the request (the cart) they joined, and how many they were."""

    order_request_id: int
    count: int


def order_request_add_punchout_lines(
    *,
    organization_id: int,
    requester_id: int,
    supplier_id: int,
    connection_id: int,
    delivery_address_id: int | None,
    cart_return_id: int | None,
    cart: OciCart,
    max_lines: int | None = None,
) -> LinesAdded:
    """Append every line of a parsed OCI cart to the requester's cart, keeping the fields as received.

    The cart is the requester's draft. A submitted request is not the cart: lines from a new punchout never join it.
    To add to a submitted request, the requester withdraws it first (``order_request_reopen``), which makes it the
    cart again. The arguments are ids: a cart return reads no more rows than it needs.

    With ``max_lines``, raises ``CartFull`` (and adds nothing) when the cart would then hold more lines; counted
    under the cart's lock, so two returns at once cannot both slip under it.
    """
    order_request = cart_lock_or_create(
        organization_id=organization_id, requester_id=requester_id, delivery_address_id=delivery_address_id
    )
    present = OrderRequestLine.objects.filter(order_request_id=order_request.pk).aggregate(
        last=Max("position"), count=Count("pk")
    )
    if max_lines is not None and present["count"] + len(cart.lines) > max_lines:
        raise CartFull(in_cart=present["count"], count=len(cart.lines), limit=max_lines)
    position = (present["last"] or 0) + 1
    warnings_by_line: dict[int | None, list[str]] = {}
    for problem in cart.warnings:
        warnings_by_line.setdefault(problem.line, []).append(problem.message)
    # Each line gets its ledger account from the translation table as it enters the cart.
    ledger = LedgerResolver.load(organization_id=organization_id, connection_id=connection_id)
    to_json = json.dumps
    rows: list[tuple[Any, ...]] = []
    for number, line in enumerate(cart.lines, start=position):
        assert line.quantity is not None, "a cart with errors is never imported"
        choice = ledger.resolve(line.fields)
        line_warnings = warnings_by_line.get(line.index)
        fields = line.fields if isinstance(line.fields, dict) else dict(line.fields)
        # In the order of LINE_COLUMNS.
        rows.append(
            (
                order_request.pk,
                number,
                supplier_id,
                connection_id,
                cart_return_id,
                line.index,
                (line.description or line.matnr or "")[:1000],
                line.quantity,
                (line.unit or "")[:20],
                line.unit_price,
                line.price_unit,
                line.currency or "",
                (line.vendormat or "")[:200],
                (line.manufactmat or "")[:200],
                (line.matgroup or "")[:200],
                line.leadtime_days,
                line.longtext or "",
                to_json(fields),
                to_json(dict(line.extra)) if line.extra else "{}",
                to_json(line_warnings) if line_warnings else "[]",
                choice.account.pk if choice.account is not None else None,
                choice.code[:LEDGER_CODE_MAX_LENGTH],
            )
        )
    _insert_lines(rows)
    # The cart changed; a cart without an address takes the punchout's.
    changes: dict[str, Any] = {"updated_at": timezone.now()}
    if order_request.delivery_address_id is None and delivery_address_id is not None:
        changes["delivery_address_id"] = delivery_address_id
    OrderRequest.objects.filter(pk=order_request.pk).update(**changes)
    return LinesAdded(order_request_id=order_request.pk, count=len(rows))


def _refuse_unless_draft(order_request: OrderRequest) -> None:
    if order_request.status == OrderRequestStatus.DRAFT:
        return
    if order_request.status in (OrderRequestStatus.SUBMITTED, OrderRequestStatus.REJECTED):
        raise CartError(
            _(
                "Order request #%(number)s was submitted, so it is no longer your cart. To change it, open it and "
                "press “Withdraw to edit” first; it then needs approval again."
            )
            % {"number": order_request.pk}
        )
    raise CartError(
        _("Order request #%(number)s is %(status)s and can no longer be changed.")
        % {"number": order_request.pk, "status": order_request.get_status_display().lower()}
    )


# The columns of a new cart line as the import writes them, in this order: every column but the id. The JSON columns
# (oci_fields, oci_extra, warnings) are written as JSON text.
LINE_COLUMNS = (
    "order_request_id",
    "position",
    "supplier_id",
    "connection_id",
    "cart_return_id",
    "oci_index",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "price_unit",
    "currency",
    "vendormat",
    "manufactmat",
    "matgroup",
    "leadtime_days",
    "longtext",
    "oci_fields",
    "oci_extra",
    "warnings",
    "ledger_account_id",
    "ledger_code",
)


def _insert_lines(rows: list[tuple[Any, ...]]) -> None:
    """Insert new cart lines, each a tuple of values in the order of ``LINE_COLUMNS``: with COPY on PostgreSQL, with
    multi-row INSERTs built here on SQLite.

    The rows are built straight from the parsed lines, as tuples: not as model instances (``bulk_create`` spent most
    of a large cart's import compiling one SQL value at a time, about 10 µs each, 22 columns, 500 lines: two thirds
    of the return view's time), nor as a dict per line read back column by column (a fifth of what was left). A
    multi-row INSERT of 500 lines still has 11,000 parameters for the driver to quote and the server to parse;
    PostgreSQL's COPY streams the rows instead. JSON comes as text: COPY's text format reads a jsonb column from it,
    and SQLite keeps it as it is, as Django's own encoding would.
    """
    if not rows:
        return
    meta = OrderRequestLine._meta
    by_attname = {field.attname: field for field in meta.concrete_fields if not field.primary_key}
    if set(by_attname) != set(LINE_COLUMNS):
        raise ValueError(f"LINE_COLUMNS does not match the columns of {meta.db_table}: {sorted(by_attname)}")
    quote = db_connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(by_attname[attname].column) for attname in LINE_COLUMNS)
    with db_connection.cursor() as cursor:
        if db_connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        row_placeholder = "(" + ", ".join(["%s"] * len(LINE_COLUMNS)) + ")"
        batch = max(1, db_connection.ops.bulk_batch_size(list(by_attname.values()), rows))
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_placeholder] * len(chunk))}",
                [value for row in chunk for value in row],
            )


def _draft_line(*, line_id: int, order_request: OrderRequest) -> OrderRequestLine:
    _refuse_unless_draft(order_request)
    line = order_request.lines.filter(pk=line_id).first()
    if line is None:
        raise CartError(_("This line is no longer in your cart."))
    return line


@transaction.atomic
def cart_line_set_quantity(*, order_request: OrderRequest, line_id: int, quantity: str) -> OrderRequestLine:
    """Change a line's quantity; it must be a positive number with at most 3 decimals. Drafts only."""
    line = _draft_line(line_id=line_id, order_request=order_request_lock(order_request))
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
    """Remove a line. Drafts only."""
    line = _draft_line(line_id=line_id, order_request=order_request_lock(order_request))
    line.delete()


def ledger_line_set_account(*, line: OrderRequestLine, account: LedgerAccount, actor: Any) -> OrderRequestLine:
    """The requester books a line of their cart to another active account of the organization, where allowed.

    Raises LedgerError (and changes nothing) when the request is no longer a draft, the actor is not its requester,
    the account is of another organization or deactivated, or the line's translation table forbids the change.
    """
    with transaction.atomic():
        order_request = (
            OrderRequest.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=line.order_request_id)
        )
        line = OrderRequestLine.objects.select_related("ledger_account").get(pk=line.pk)
        if order_request.status != OrderRequestStatus.DRAFT:
            raise LedgerError(_("This order request was submitted; the accounts of its lines can no longer change."))
        if order_request.requester_id != actor.pk:
            raise LedgerError(_("Only the requester can change the accounts of the lines in their cart."))
        if account.organization_id != order_request.organization_id:
            raise LedgerError(_("Choose one of your organization's ledger accounts."))
        if not account.is_active:
            raise LedgerError(
                _("The ledger account %(account)s is deactivated; choose another.") % {"account": account}
            )
        table = ledger_table_for(organization_id=order_request.organization_id, connection_id=line.connection_id)
        if table is not None and not table.buyer_may_change:
            raise LedgerError(
                _(
                    "The ledger translation table decides the account of this line; buyers may not change it. "
                    "Ask an administrator if it is wrong."
                )
            )
        if line.ledger_account_id == account.pk:
            return line
        previous = line.ledger_account
        line.ledger_account = account
        line.save(update_fields=["ledger_account"])
        audit_log(
            organization=order_request.organization,
            actor=actor,
            action="order_request_line.ledger_account_changed",
            obj=line,
            summary=_(
                "Order request #%(request)s, line %(position)s (%(description)s): ledger account %(old)s → %(new)s"
            )
            % {
                "request": order_request.pk,
                "position": line.position,
                "description": line.description[:80],
                "old": previous if previous is not None else "—",
                "new": account,
            },
        )
    return line
