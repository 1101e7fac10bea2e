"""Writes on order requests: the cart (a draft order request), submission, approval, rejection, withdrawal.

Every state change locks the request row first (``select_for_update``; on SQLite the IMMEDIATE transaction mode
serialises writers), checks the transition, saves, writes an ``OrderRequestEvent`` and schedules e-mail on commit.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import JSONField, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.models import CostCentre, DeliveryAddress, Membership, Organization
from ocilink.connections.models import Connection
from ocilink.protocols.oci import OciCart
from ocilink.suppliers.ledger import ledger_assign_lines
from ocilink.suppliers.models import Supplier
from ocilink.suppliers.rights import EffectiveRight, right_for

from .approval import ORGANIZATION_CURRENCY, approval_amount, current_level, may_act, names, plan_steps, rules_matching
from .models import ApprovalStep, OrderRequest, OrderRequestEvent, OrderRequestLine
from .notifications import notify_approvers, notify_requester
from .states import EventAction, OrderRequestStatus, ensure_step_transition, ensure_transition

if TYPE_CHECKING:
    from ocilink.orders.models import PurchaseOrder

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
    """Append every line of a parsed OCI cart to the requester's cart, keeping the fields as received.

    The cart is the requester's draft. A submitted request is not the cart: lines from a new punchout never join it.
    To add to a submitted request, the requester withdraws it first (``order_request_reopen``), which makes it the
    cart again. Returns the new lines (not reloaded: without primary keys).
    """
    while True:
        order_request = cart_get_or_create(
            organization=organization, requester=requester, delivery_address=delivery_address
        )
        order_request = OrderRequest.objects.select_for_update().get(pk=order_request.pk)
        if order_request.status == OrderRequestStatus.DRAFT:
            break
        # Submitted between the two reads: it is no longer the cart, so these lines start a new one.
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
                # ids, not objects: the related-object descriptors cost more than the rest of the line together
                order_request_id=order_request.pk,
                position=position + offset,
                supplier_id=supplier.pk,
                connection_id=connection.pk,
                cart_return_id=getattr(cart_return, "pk", None),
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
    # Each line gets its ledger account from the translation table as it enters the cart.
    ledger_assign_lines(organization=organization, connection=connection, lines=lines)
    _insert_lines(lines)
    order_request.save(update_fields=["delivery_address", "updated_at"])
    return lines


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


def _insert_lines(lines: list[OrderRequestLine]) -> None:
    """Insert new cart lines with multi-row INSERTs built here.

    ``bulk_create`` spent most of a large cart's import compiling one SQL value at a time (about 10 µs each, 22
    columns, 500 lines: two thirds of the return view's time). Values are passed as they are, except JSON, which
    each backend wants in its own form (the field prepares it). The batch size is the backend's own limit.
    """
    if not lines:
        return
    meta = OrderRequestLine._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    json_fields = {field.attname for field in fields if isinstance(field, JSONField)}
    quote = db_connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(1, db_connection.ops.bulk_batch_size(fields, lines))
    with db_connection.cursor() as cursor:
        for start in range(0, len(lines), batch):
            chunk = lines[start : start + batch]
            params: list[Any] = []
            for line in chunk:
                for field in fields:
                    value = getattr(line, field.attname)
                    params.append(
                        field.get_db_prep_save(value, db_connection) if field.attname in json_fields else value
                    )
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row_placeholder] * len(chunk))}",
                params,
            )


def _draft_line(*, line_id: int, order_request: OrderRequest) -> OrderRequestLine:
    _refuse_unless_draft(order_request)
    line = order_request.lines.filter(pk=line_id).first()
    if line is None:
        raise CartError(_("This line is no longer in your cart."))
    return line


def _locked(order_request: OrderRequest) -> OrderRequest:
    return OrderRequest.objects.select_for_update().get(pk=order_request.pk)


@transaction.atomic
def cart_line_set_quantity(*, order_request: OrderRequest, line_id: int, quantity: str) -> OrderRequestLine:
    """Change a line's quantity; it must be a positive number with at most 3 decimals. Drafts only."""
    line = _draft_line(line_id=line_id, order_request=_locked(order_request))
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
    line = _draft_line(line_id=line_id, order_request=_locked(order_request))
    line.delete()


class SubmitError(Exception):
    """An order request cannot be submitted; the message says what to change."""


class ApprovalError(Exception):
    """An approval or rejection that cannot be made; the message says why."""


class ReopenError(Exception):
    """An order request that cannot be withdrawn to edit; the message says why."""


class _Unchanged:
    """Marks an argument that was not given (``None`` has a meaning of its own)."""


UNCHANGED = _Unchanged()


def _event(order_request: OrderRequest, action: str, actor: Any, comment: str = "") -> None:
    OrderRequestEvent.objects.create(order_request=order_request, action=action, actor=actor, comment=comment)


def _check_rights(*, membership: Membership, lines: list[OrderRequestLine]) -> EffectiveRight:
    """The requester's right, after checking that it covers every supplier of the request."""
    right = right_for(membership=membership)
    if not right.may_order:
        raise SubmitError(
            _("You may not order in %(organization)s. Ask your administrator for an ordering right.")
            % {"organization": membership.organization.name}
        )
    suppliers = {line.supplier_id: line.supplier for line in lines}
    for supplier in sorted(suppliers.values(), key=lambda s: s.name):
        if supplier.is_blocked:
            raise SubmitError(
                _("%(supplier)s is blocked: remove its lines from your cart, or ask your administrator why.")
                % {"supplier": supplier.name}
            )
        if not right.covers_group(supplier.group_id):
            group = supplier.group.name if supplier.group else _("no supplier group")
            raise SubmitError(
                _(
                    "You may not order at %(supplier)s (%(group)s). Remove its lines from your cart, or ask your "
                    "administrator for the right to order at this supplier group."
                )
                % {"supplier": supplier.name, "group": group}
            )
    return right


def _approve_and_order(*, locked: OrderRequest, actor: Any, error: type[Exception]) -> list[PurchaseOrder]:
    """Mark the (locked) request approved and create its purchase orders, in the caller's transaction."""
    from ocilink.orders.services import OrderingError, purchase_orders_create

    ensure_transition(locked.status, OrderRequestStatus.APPROVED)
    locked.status = OrderRequestStatus.APPROVED
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at", "updated_at"])
    try:
        purchase_orders = purchase_orders_create(order_request=locked, actor=actor)
    except OrderingError as exc:  # raised inside the transaction: nothing of the decision is kept
        raise error(str(exc)) from exc
    _event(locked, EventAction.ORDERED, actor, ", ".join(po.number for po in purchase_orders))
    return purchase_orders


def order_request_submit(
    *,
    order_request: OrderRequest,
    requester: Any,
    reference: str = "",
    cost_centre: CostCentre | None | _Unchanged = UNCHANGED,
) -> list[PurchaseOrder]:
    """Submit the cart: within the requester's limit it is approved and ordered at once, above it it waits for
    the approval steps its rules ask for. Returns the purchase orders (none while approval is pending).

    Refused, with nothing changed, when the requester may not order, may not order at one of the line's supplier
    groups, or a line has no price. One transaction: the request's state, its steps, and when approved at once its
    purchase orders and their dispatches are written together; e-mail and tasks leave only when it commits.
    """
    with transaction.atomic():
        locked = _locked(order_request)
        if locked.requester_id != requester.pk:
            raise SubmitError(_("Only the requester can submit this order request."))
        if locked.status != OrderRequestStatus.DRAFT:
            raise SubmitError(_("This order request was already submitted."))
        membership = (
            Membership.objects.select_related("organization")
            .filter(organization_id=locked.organization_id, user_id=requester.pk)
            .first()
        )
        if membership is None:
            raise SubmitError(_("You are not a member of this organization."))
        lines = list(locked.lines.select_related("supplier__group").order_by("position"))
        if not lines:
            raise SubmitError(_("Your cart is empty."))
        for line in lines:
            if line.unit_price is None:
                raise SubmitError(
                    _("Line “%(description)s” has no price. Ask the supplier for one, or remove the line.")
                    % {"description": line.description}
                )
        right = _check_rights(membership=membership, lines=lines)
        if not isinstance(cost_centre, _Unchanged):
            if cost_centre is not None and (
                cost_centre.organization_id != locked.organization_id or not cost_centre.is_active
            ):
                raise SubmitError(_("Choose one of your organization's active cost centres."))
            locked.cost_centre = cost_centre
        amount = approval_amount(lines)

        ensure_transition(locked.status, OrderRequestStatus.SUBMITTED)
        locked.status = OrderRequestStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.decided_at = None
        if reference:
            locked.reference = reference[:100]
        locked.save(update_fields=["status", "submitted_at", "decided_at", "reference", "cost_centre", "updated_at"])
        _event(locked, EventAction.SUBMITTED, requester, amount.note)

        if amount.amount <= right.limit_without_approval:
            _event(
                locked,
                EventAction.APPROVED,
                requester,
                _("Within the requester's limit without approval (%(currency)s %(limit)s).")
                % {"currency": ORGANIZATION_CURRENCY, "limit": right.limit_without_approval},
            )
            return _approve_and_order(locked=locked, actor=requester, error=SubmitError)

        planned = plan_steps(
            rules_matching(
                organization_id=locked.organization_id, amount=amount.amount, cost_centre_id=locked.cost_centre_id
            )
        )
        ApprovalStep.objects.bulk_create(
            ApprovalStep(
                order_request=locked,
                level=step.level,
                approver_id=step.approver_id,
                approver_role=step.approver_role,
                rule_id=step.rule_id,
            )
            for step in planned
        )
        transaction.on_commit(partial(notify_approvers, order_request_id=locked.pk))
    return []


def _decidable(order_request: OrderRequest, user: Any) -> tuple[OrderRequest, list[ApprovalStep], list[ApprovalStep]]:
    """Lock the request; return it, its pending steps and the ones of them this user decides now, or refuse."""
    locked = _locked(order_request)
    if locked.status != OrderRequestStatus.SUBMITTED:
        raise ApprovalError(
            _("Order request #%(number)s is not waiting for approval: it is %(status)s.")
            % {"number": locked.pk, "status": locked.get_status_display().lower()}
        )
    if locked.requester_id == user.pk:
        raise ApprovalError(_("You cannot decide on your own order request: another approver must."))
    membership = Membership.objects.filter(organization_id=locked.organization_id, user_id=user.pk).first()
    if membership is None:
        raise ApprovalError(_("You are not a member of this organization."))
    pending = list(locked.approval_steps.filter(status=ApprovalStep.Status.PENDING).order_by("level", "pk"))
    level = current_level(pending)
    mine = [
        step
        for step in pending
        if may_act(step, user_id=user.pk, role=membership.role, requester_id=locked.requester_id, level=level)
    ]
    if mine:
        return locked, pending, mine
    later = [step.level for step in pending if names(step, user_id=user.pk, role=membership.role)]
    if later:
        raise ApprovalError(
            _("Your decision is asked at level %(yours)s; level %(current)s must approve first.")
            % {"yours": min(later), "current": level}
        )
    raise ApprovalError(_("You are not an approver of this order request at its current level."))


def _decide(steps: list[ApprovalStep], *, status: str, user: Any, comment: str) -> None:
    now = timezone.now()
    for step in steps:
        ensure_step_transition(step.status, status)
        step.status = status
        step.decided_by = user
        step.decided_at = now
        step.comment = comment
        step.save(update_fields=["status", "decided_by", "decided_at", "comment"])


def order_request_approve(*, order_request: OrderRequest, approver: Any, comment: str = "") -> OrderRequest:
    """Approve the steps of the current level that name this approver. When no step is left, the request is
    approved and its purchase orders are created in the same transaction.

    Concurrent decisions on one request are serialised by the row lock: the second sees the first's outcome, so a
    request is ordered once. Refused for the requester, for a member the current level does not name, and for a
    request that is not waiting for approval.
    """
    comment = comment.strip()
    with transaction.atomic():
        locked, pending, mine = _decidable(order_request, approver)
        level = mine[0].level
        _decide(mine, status=ApprovalStep.Status.APPROVED, user=approver, comment=comment)
        remaining = [step for step in pending if step not in mine]
        if remaining:
            _event(locked, EventAction.LEVEL_APPROVED, approver, comment)
            if current_level(remaining) != level:  # the next level's approvers can act now
                transaction.on_commit(partial(notify_approvers, order_request_id=locked.pk))
            return locked
        _event(locked, EventAction.APPROVED, approver, comment)
        _approve_and_order(locked=locked, actor=approver, error=ApprovalError)
        transaction.on_commit(partial(notify_requester, order_request_id=locked.pk))
    return locked


def order_request_reject(*, order_request: OrderRequest, approver: Any, comment: str) -> OrderRequest:
    """Reject the request with a reason; the steps still open become void. The requester can withdraw it to edit
    it (back to draft) and submit it again."""
    comment = comment.strip()
    with transaction.atomic():
        locked, pending, mine = _decidable(order_request, approver)
        if not comment:
            raise ApprovalError(_("Say why you reject this order request: the requester reads it to put it right."))
        _decide(mine, status=ApprovalStep.Status.REJECTED, user=approver, comment=comment)
        still_open = [step.pk for step in pending if step not in mine]
        ApprovalStep.objects.filter(pk__in=still_open).update(status=ApprovalStep.Status.VOID)
        ensure_transition(locked.status, OrderRequestStatus.REJECTED)
        locked.status = OrderRequestStatus.REJECTED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at", "updated_at"])
        _event(locked, EventAction.REJECTED, approver, comment)
        transaction.on_commit(partial(notify_requester, order_request_id=locked.pk))
    return locked


def order_request_reopen(*, order_request: OrderRequest, actor: Any, comment: str = "") -> OrderRequest:
    """Withdraw a submitted (or rejected) request to edit it: it becomes the requester's cart again, and every
    approval it had (pending or given) becomes void, so it needs approval again once resubmitted.

    A requester has one cart at a time: with another cart holding lines, this is refused (an empty one is dropped).
    """
    with transaction.atomic():
        locked = _locked(order_request)
        if locked.requester_id != actor.pk:
            raise ReopenError(_("Only the requester can withdraw this order request to edit it."))
        if locked.status == OrderRequestStatus.DRAFT:
            raise ReopenError(_("This order request is already your cart: change it there."))
        if locked.status not in (OrderRequestStatus.SUBMITTED, OrderRequestStatus.REJECTED):
            raise ReopenError(
                _("Order request #%(number)s is %(status)s and can no longer be changed.")
                % {"number": locked.pk, "status": locked.get_status_display().lower()}
            )
        other = (
            OrderRequest.objects.select_for_update()
            .filter(organization_id=locked.organization_id, requester_id=locked.requester_id)
            .filter(status=OrderRequestStatus.DRAFT)
            .exclude(pk=locked.pk)
            .first()
        )
        if other is not None:
            if other.lines.exists() or other.events.exists():
                raise ReopenError(
                    _(
                        "You already have a cart with other lines. Submit it or empty it first: you can edit one "
                        "order request at a time."
                    )
                )
            other.delete()  # an empty cart that never left the requester: nothing is lost
        ensure_transition(locked.status, OrderRequestStatus.DRAFT)
        open_or_given = [ApprovalStep.Status.PENDING, ApprovalStep.Status.APPROVED]
        locked.approval_steps.filter(status__in=open_or_given).update(status=ApprovalStep.Status.VOID)
        locked.status = OrderRequestStatus.DRAFT
        locked.submitted_at = None
        locked.decided_at = None
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "submitted_at", "decided_at", "updated_at"])
        except IntegrityError as exc:  # a punchout made a new cart at this very moment
            raise ReopenError(_("You already have a cart. Submit it or empty it first, then try again.")) from exc
        _event(locked, EventAction.REOPENED, actor, comment.strip())
    return locked
