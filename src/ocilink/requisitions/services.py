"""Decisions on order requests: submission, approval, rejection, withdrawal to edit.

Every state change locks the request row first (``select_for_update``; on SQLite the IMMEDIATE transaction mode
serialises writers), checks the transition, saves, writes an ``OrderRequestEvent`` and schedules e-mail on commit.
A decision only decides: an approval returns an :class:`ApprovalOutcome`, and ``handoff`` places what was approved.
The cart's own writes are in ``cart.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.models import CostCentre, Membership
from ocilink.suppliers.rights import EffectiveRight, right_for

from .approval import ORGANIZATION_CURRENCY, approval_amount, current_level, may_act, names, plan_steps, rules_matching
from .cart import order_request_lock
from .models import ApprovalStep, OrderRequest, OrderRequestEvent, OrderRequestLine
from .notifications import notify_approvers, notify_requester
from .states import EventAction, OrderRequestStatus, ensure_step_transition, ensure_transition


class SubmitError(Exception):
    """An order request cannot be submitted; the message says what to change."""


class ApprovalError(Exception):
    """An approval or rejection that cannot be made; the message says why."""


class ReopenError(Exception):
    """An order request that cannot be withdrawn to edit; the message says why."""


class _Unchanged:
    """Marks an argument that was not given (``None`` has a meaning of its own)."""


UNCHANGED = _Unchanged()


def order_request_event(order_request: OrderRequest, action: str, actor: Any, comment: str = "") -> None:
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


@dataclass(frozen=True)
class ApprovalOutcome:
    """What a decision did: ``approved`` is true when the request is approved and must now be placed."""

    order_request: OrderRequest
    approved: bool


def _approve(locked: OrderRequest) -> ApprovalOutcome:
    """Mark the (locked) request approved, in the caller's transaction."""
    ensure_transition(locked.status, OrderRequestStatus.APPROVED)
    locked.status = OrderRequestStatus.APPROVED
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at", "updated_at"])
    return ApprovalOutcome(order_request=locked, approved=True)


def order_request_submit(
    *,
    order_request: OrderRequest,
    requester: Any,
    reference: str = "",
    cost_centre: CostCentre | None | _Unchanged = UNCHANGED,
) -> ApprovalOutcome:
    """Submit the cart: within the requester's limit it is approved at once, above it it waits for the approval
    steps its rules ask for. The outcome says whether it is approved (and must be placed: see ``handoff``).

    Refused, with nothing changed, when the requester may not order, may not order at one of the line's supplier
    groups, or a line has no price. One transaction: the request's state and its steps are written together;
    e-mail leaves only when it commits.
    """
    with transaction.atomic():
        locked = order_request_lock(order_request)
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
        order_request_event(locked, EventAction.SUBMITTED, requester, amount.note)

        if amount.amount <= right.limit_without_approval:
            order_request_event(
                locked,
                EventAction.APPROVED,
                requester,
                _("Within the requester's limit without approval (%(currency)s %(limit)s).")
                % {"currency": ORGANIZATION_CURRENCY, "limit": right.limit_without_approval},
            )
            return _approve(locked)

        planned = plan_steps(
            rules_matching(
                organization_id=locked.organization_id, amount=amount.amount, cost_centre_id=locked.cost_centre_id
            )
        )
        ApprovalStep.objects.bulk_create(
            ApprovalStep(
                order_request=locked,
                organization_id=locked.organization_id,
                waiting_since=locked.submitted_at,
                level=step.level,
                approver_id=step.approver_id,
                approver_role=step.approver_role,
                rule_id=step.rule_id,
            )
            for step in planned
        )
        transaction.on_commit(partial(notify_approvers, order_request_id=locked.pk))
    return ApprovalOutcome(order_request=locked, approved=False)


def _decidable(order_request: OrderRequest, user: Any) -> tuple[OrderRequest, list[ApprovalStep], list[ApprovalStep]]:
    """Lock the request; return it, its pending steps and the ones of them this user decides now, or refuse."""
    locked = order_request_lock(order_request)
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


def order_request_approve(*, order_request: OrderRequest, approver: Any, comment: str = "") -> ApprovalOutcome:
    """Approve the steps of the current level that name this approver. When no step is left, the request is
    approved, and the outcome says it must now be placed (``handoff`` places it in the same transaction).

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
            order_request_event(locked, EventAction.LEVEL_APPROVED, approver, comment)
            if current_level(remaining) != level:  # the next level's approvers can act now
                transaction.on_commit(partial(notify_approvers, order_request_id=locked.pk))
            return ApprovalOutcome(order_request=locked, approved=False)
        order_request_event(locked, EventAction.APPROVED, approver, comment)
        outcome = _approve(locked)
        transaction.on_commit(partial(notify_requester, order_request_id=locked.pk))
    return outcome


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
        order_request_event(locked, EventAction.REJECTED, approver, comment)
        transaction.on_commit(partial(notify_requester, order_request_id=locked.pk))
    return locked


def order_request_reopen(*, order_request: OrderRequest, actor: Any, comment: str = "") -> OrderRequest:
    """Withdraw a submitted (or rejected) request to edit it: it becomes the requester's cart again, and every
    approval it had (pending or given) becomes void, so it needs approval again once resubmitted.

    A requester has one cart at a time: with another cart holding lines, this is refused (an empty one is dropped).
    """
    with transaction.atomic():
        locked = order_request_lock(order_request)
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
        order_request_event(locked, EventAction.REOPENED, actor, comment.strip())
    return locked
