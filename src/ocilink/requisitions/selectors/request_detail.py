"""The order request page: its lines with their origin and price flags, the steps with who can decide them, the
history, and what the member may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from ocilink.accounts.models import Membership
from ocilink.requisitions.approval import ApprovalAmount, approval_amount, current_level, may_act
from ocilink.requisitions.models import ApprovalStep, OrderRequest, OrderRequestEvent, OrderRequestLine
from ocilink.requisitions.states import OrderRequestStatus, event_label

from .cart import PageLine, page_lines


@dataclass(frozen=True)
class LastPrice:
    """The same article at the same supplier in the organization's last approved order request."""

    order_request_id: int
    unit_price: Decimal
    price_unit: Decimal
    currency: str

    @property
    def per_unit(self) -> Decimal:
        return self.unit_price / self.price_unit


@dataclass(frozen=True)
class LineView:
    line: PageLine
    missing_price: bool
    zero_price: bool
    last: LastPrice | None
    price_differs: bool

    @property
    def per_unit(self) -> Decimal | None:
        if self.line.unit_price is None:
            return None
        return self.line.unit_price / self.line.price_unit

    @property
    def flagged(self) -> bool:
        return self.missing_price or self.zero_price or self.price_differs


@dataclass(frozen=True)
class StepView:
    step: ApprovalStep
    is_current: bool
    # Why nobody but the requester (or nobody at all) can decide this pending step: "names_requester",
    # "only_requester_has_role", "not_a_member", "nobody_has_role"; empty when someone can.
    blocked: str = ""


@dataclass(frozen=True)
class EventView:
    event: OrderRequestEvent
    label: str


@dataclass(frozen=True)
class RequestDetail:
    order_request: OrderRequest
    lines: list[LineView]
    amount: ApprovalAmount
    steps: list[StepView]
    events: list[EventView]
    purchase_orders: list[Any]
    level: int | None
    may_decide: bool
    may_reopen: bool
    blocked_steps: list[StepView] = field(default_factory=list)

    @property
    def flagged_lines(self) -> int:
        return sum(1 for line in self.lines if line.flagged)


def _last_prices(order_request: OrderRequest, lines: list[PageLine]) -> dict[int, LastPrice]:
    """Per line id: the price of the same article (``vendormat``) at the same supplier in the organization's most
    recently approved other order request. Two queries whatever the number of lines, none of them reading a line as
    a model instance: the last approved line of each line's article (one look-up in the index on supplier and
    article a line), then those lines' prices."""
    if not any(line.vendormat for line in lines):
        return {}
    previous = (
        OrderRequestLine.objects.filter(
            order_request__organization_id=order_request.organization_id,
            order_request__status=OrderRequestStatus.APPROVED,
            supplier_id=OuterRef("supplier_id"),
            vendormat=OuterRef("vendormat"),
            unit_price__isnull=False,
        )
        .exclude(order_request_id=order_request.pk)
        .order_by("-order_request__decided_at", "-order_request_id", "-position")
        .values("pk")[:1]
    )
    last_ids = {
        line_id: last_id
        for line_id, last_id in OrderRequestLine.objects.filter(order_request_id=order_request.pk)
        .exclude(vendormat="")
        .order_by()
        .values_list("pk", Subquery(previous))
        if last_id is not None  # filtered here: in SQL it would run the subquery a second time
    }
    if not last_ids:
        return {}
    # A second query rather than an IN (subquery) in one: PostgreSQL plans that one as a scan of all lines.
    found = {
        pk: LastPrice(request_id, unit_price, price_unit, currency)
        for pk, request_id, unit_price, price_unit, currency in OrderRequestLine.objects.filter(
            pk__in=set(last_ids.values())
        )
        .order_by()
        .values_list("pk", "order_request_id", "unit_price", "price_unit", "currency")
        if unit_price is not None
    }
    return {line_id: found[last_id] for line_id, last_id in last_ids.items() if last_id in found}


def _line_views(order_request: OrderRequest) -> list[LineView]:
    lines = page_lines(order_request)
    last_prices = _last_prices(order_request, lines)
    views = []
    for line in lines:
        last = last_prices.get(line.pk)
        differs = (
            last is not None
            and line.unit_price is not None
            and (last.currency != line.currency or last.per_unit != line.unit_price / line.price_unit)
        )
        views.append(
            LineView(
                line=line,
                missing_price=line.unit_price is None,
                zero_price=line.unit_price is not None and line.unit_price == 0,
                last=last,
                price_differs=differs,
            )
        )
    return views


def _blocked_reason(
    step: ApprovalStep, *, requester_id: int, members: set[int], other_roles: set[str], requester_roles: set[str]
) -> str:
    """Why nobody but the requester can decide this pending step, or "" when someone can."""
    if step.approver_id and step.approver_id != requester_id and step.approver_id in members:
        return ""
    if step.approver_role and step.approver_role in other_roles:
        return ""
    if step.approver_id == requester_id:
        return "names_requester"
    if step.approver_id:
        return "not_a_member"
    if step.approver_role in requester_roles:
        return "only_requester_has_role"
    return "nobody_has_role"


def _step_views(order_request: OrderRequest, steps: list[ApprovalStep], level: int | None) -> list[StepView]:
    """The steps, each saying whether it is decided now and, while pending, whether anyone can decide it."""
    pending = [step for step in steps if step.status == ApprovalStep.Status.PENDING]
    if order_request.status != OrderRequestStatus.SUBMITTED or not pending:
        return [StepView(step, is_current=False) for step in steps]
    named_users = {step.approver_id for step in pending if step.approver_id}
    named_roles = {step.approver_role for step in pending if step.approver_role}
    requester_id = order_request.requester_id
    # One query for the three questions: which named approvers are members, which named roles someone other than the
    # requester holds, and the requester's own roles.
    rows = list(
        Membership.objects.filter(organization_id=order_request.organization_id)
        .filter(Q(user_id__in=named_users) | Q(role__in=named_roles) | Q(user_id=requester_id))
        .order_by()
        .values_list("user_id", "role")
    )
    members = {user_id for user_id, _role in rows if user_id in named_users}
    other_roles = {role for user_id, role in rows if role in named_roles and user_id != requester_id}
    requester_roles = {role for user_id, role in rows if user_id == requester_id}
    return [
        StepView(
            step,
            is_current=step.status == ApprovalStep.Status.PENDING and step.level == level,
            blocked=_blocked_reason(
                step,
                requester_id=requester_id,
                members=members,
                other_roles=other_roles,
                requester_roles=requester_roles,
            )
            if step.status == ApprovalStep.Status.PENDING
            else "",
        )
        for step in steps
    ]


def order_request_detail(*, membership: Membership, order_request: OrderRequest) -> RequestDetail:
    """Everything the request page shows: lines with their origin and flags, the amount, the steps with who can
    decide them, the history, and what this member may do. ``order_request`` must come from
    ``order_requests_visible_to`` for this member."""
    steps = list(order_request.approval_steps.select_related("approver", "decided_by").order_by("level", "pk"))
    level = current_level(steps) if order_request.status == OrderRequestStatus.SUBMITTED else None
    lines = _line_views(order_request)
    step_views = _step_views(order_request, steps, level)
    may_decide = membership.pk is not None and any(
        may_act(
            step, user_id=membership.user_id, role=membership.role, requester_id=order_request.requester_id, level=level
        )
        for step in steps
    )
    events = [
        EventView(event, event_label(event.action))
        for event in order_request.events.select_related("actor").order_by("at", "pk")
    ]
    return RequestDetail(
        order_request=order_request,
        lines=lines,
        amount=approval_amount(view.line for view in lines),
        steps=step_views,
        events=events,
        # Only what the page links to: an order's snapshot holds all of its lines.
        purchase_orders=list(order_request.purchase_orders.only("pk", "number").order_by("number")),
        level=level,
        may_decide=may_decide,
        may_reopen=order_request.requester_id == membership.user_id
        and order_request.status in (OrderRequestStatus.SUBMITTED, OrderRequestStatus.REJECTED),
        blocked_steps=[view for view in step_views if view.blocked],
    )
