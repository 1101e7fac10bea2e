"""Reads on order requests, always scoped to an organization.

The two list pages (a member's order requests, and what waits for their approval) run a fixed number of queries
whatever the page size: the count, the page's rows as plain values with their requester and cost centre, then one
query for the lines and one for the open steps of all rows of the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from ocilink.accounts.models import Membership, Organization, Role
from ocilink.core.money import net_amount, totals_per_currency

from .approval import ApprovalAmount, approval_amount, current_level, may_act
from .models import ApprovalStep, OrderRequest, OrderRequestEvent, OrderRequestLine
from .states import OrderRequestStatus, event_label


@dataclass(frozen=True)
class CartView:
    order_request: OrderRequest | None
    lines: list[OrderRequestLine]
    totals: dict[str, Decimal]
    lines_without_price: int
    was_submitted: bool = False


def cart_for(*, organization: Organization, requester) -> CartView:  # type: ignore[no-untyped-def]
    """The requester's cart with its lines and totals per currency."""
    order_request = OrderRequest.objects.filter(
        organization=organization, requester=requester, status=OrderRequestStatus.DRAFT
    ).first()
    if order_request is None:
        return CartView(None, [], {}, 0)
    lines = list(order_request.lines.select_related("supplier", "cart_return", "ledger_account").order_by("position"))
    totals = totals_per_currency((line.currency, line.net_amount) for line in lines)
    return CartView(
        order_request,
        lines,
        totals,
        sum(1 for line in lines if line.unit_price is None),
        was_submitted=order_request.events.exists(),
    )


def own_order_request_of_line(*, membership: Membership, line_id: int) -> OrderRequest | None:
    """The member's own order request (in any state) holding this line, else None."""
    return OrderRequest.objects.filter(
        organization_id=membership.organization_id, requester_id=membership.user_id, lines__pk=line_id
    ).first()


def sees_all_requests(membership: Membership) -> bool:
    """Approvers and administrators (and platform staff) see every order request of their organization."""
    return membership.role in (Role.APPROVER, Role.ADMINISTRATOR) or membership.user.is_staff


def _steps_naming(membership: Membership) -> QuerySet[ApprovalStep]:
    return ApprovalStep.objects.filter(Q(approver_id=membership.user_id) | Q(approver_role=membership.role))


def order_requests_visible_to(*, membership: Membership) -> QuerySet[OrderRequest]:
    """What a member may open: their own requests; all of them for approvers and administrators; and, for any
    member, the requests with a step that names them."""
    requests = OrderRequest.objects.filter(organization_id=membership.organization_id)
    if sees_all_requests(membership):
        return requests
    named = _steps_naming(membership).filter(order_request=OuterRef("pk"))
    return requests.filter(Q(requester_id=membership.user_id) | Exists(named))


def order_request_list(*, membership: Membership, status: str = "") -> QuerySet[OrderRequest]:
    """A member's own order requests; approvers and administrators see every submitted one (other people's carts
    stay private). Newest first: by id, which grows with the creation time and lets the database stop after one
    page instead of sorting every request of the organization."""
    requests = OrderRequest.objects.filter(organization_id=membership.organization_id)
    if sees_all_requests(membership):
        requests = requests.filter(~Q(status=OrderRequestStatus.DRAFT) | Q(requester_id=membership.user_id))
    else:
        requests = requests.filter(requester_id=membership.user_id)
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-pk")


def _waiting(membership: Membership) -> QuerySet[OrderRequest]:
    if membership.pk is None:  # platform staff acting in the organization: they see, but never approve
        return OrderRequest.objects.none()
    lower_level_open = ApprovalStep.objects.filter(
        order_request=OuterRef("order_request"), status=ApprovalStep.Status.PENDING, level__lt=OuterRef("level")
    )
    mine_now = (
        _steps_naming(membership)
        .filter(order_request=OuterRef("pk"), status=ApprovalStep.Status.PENDING)
        .filter(~Exists(lower_level_open))
    )
    return (
        OrderRequest.objects.filter(organization_id=membership.organization_id, status=OrderRequestStatus.SUBMITTED)
        .exclude(requester_id=membership.user_id)
        .filter(Exists(mine_now))
    )


def order_requests_waiting_for(*, membership: Membership) -> QuerySet[OrderRequest]:
    """Submitted requests of other people with a pending step that names this member at its current level (all
    lower levels approved). Oldest first: they have waited longest."""
    return _waiting(membership).order_by("submitted_at", "pk")


def approvals_waiting_count(*, membership: Membership) -> int:
    """How many requests wait for this member's approval (for a link with a count)."""
    return _waiting(membership).count()


# What a list row shows of the request itself; read as plain values (no model instances) to keep a page of 100
# rows cheap.
ROW_FIELDS = (
    "pk",
    "status",
    "reference",
    "created_at",
    "submitted_at",
    "requester__first_name",
    "requester__last_name",
    "requester__username",
    "cost_centre__code",
)


def row_values(requests: QuerySet[OrderRequest]) -> QuerySet[OrderRequest, dict[str, Any]]:
    """The requests as the values a list row needs; paginate this, then pass a page to ``request_rows``."""
    return requests.values(*ROW_FIELDS)


@dataclass(frozen=True)
class RequestRow:
    """One row of a list page, ready to print."""

    pk: int
    url: str
    status: str
    status_label: str
    when: str
    requester: str
    reference: str
    cost_centre: str
    line_count: int
    totals: list[str]
    level: int | None
    waiting_for: list[str]


_URL_PLACEHOLDER = 987654321987


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def request_rows(values: Iterable[dict[str, Any]]) -> list[RequestRow]:
    """Rows from a page of ``row_values``: two queries (the page's lines, its open steps), whatever the page size."""
    page = list(values)
    ids = [value["pk"] for value in page]
    amounts: dict[int, list[tuple[str, Decimal | None]]] = {pk: [] for pk in ids}
    for request_id, currency, unit_price, quantity, price_unit in OrderRequestLine.objects.filter(
        order_request_id__in=ids
    ).values_list("order_request_id", "currency", "unit_price", "quantity", "price_unit"):
        amount = (
            None if unit_price is None else net_amount(unit_price=unit_price, quantity=quantity, price_unit=price_unit)
        )
        amounts[request_id].append((currency, amount))
    open_steps: dict[int, list[tuple[int, str, str]]] = {pk: [] for pk in ids}
    for request_id, level, role, first, last, username in (
        ApprovalStep.objects.filter(order_request_id__in=ids, status=ApprovalStep.Status.PENDING)
        .order_by("level", "pk")
        .values_list(
            "order_request_id",
            "level",
            "approver_role",
            "approver__first_name",
            "approver__last_name",
            "approver__username",
        )
    ):
        who = _name(first, last, username) if username else (str(Role(role).label) if role else "")
        open_steps[request_id].append((level, role, who))
    # One reverse() for the page instead of one per row (each costs tens of microseconds): the detail URL with a
    # placeholder id, filled in per row.
    url = reverse("requisitions:request_detail", args=[_URL_PLACEHOLDER])
    rows = []
    for value in page:
        pk = value["pk"]
        steps = open_steps[pk]
        current = min(step[0] for step in steps) if steps and value["status"] == OrderRequestStatus.SUBMITTED else None
        when = value["submitted_at"] or value["created_at"]
        rows.append(
            RequestRow(
                pk=pk,
                url=url.replace(str(_URL_PLACEHOLDER), str(pk)),
                status=value["status"],
                status_label=str(OrderRequestStatus(value["status"]).label),
                when=timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                requester=_name(
                    value["requester__first_name"], value["requester__last_name"], value["requester__username"]
                ),
                reference=value["reference"],
                cost_centre=value["cost_centre__code"] or "",
                line_count=len(amounts[pk]),
                totals=[f"{currency} {total}" for currency, total in totals_per_currency(amounts[pk]).items()],
                level=current,
                waiting_for=[who for step_level, _role, who in steps if step_level == current],
            )
        )
    return rows


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
    line: OrderRequestLine
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


def _last_prices(order_request: OrderRequest, lines: list[OrderRequestLine]) -> dict[int, LastPrice]:
    """Per line id: the price of the same article (``vendormat``) at the same supplier in the organization's most
    recently approved other order request. Two queries whatever the number of lines."""
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
    articles = [line.pk for line in lines if line.vendormat]
    if not articles:
        return {}
    last_ids = {
        line_id: last_id
        for line_id, last_id in OrderRequestLine.objects.filter(pk__in=articles)
        .annotate(last_id=Subquery(previous))
        .values_list("pk", "last_id")
        if last_id is not None  # filtered here: in SQL it would run the subquery a second time
    }
    if not last_ids:
        return {}
    found = {
        row.pk: LastPrice(row.order_request_id, row.unit_price, row.price_unit, row.currency)
        for row in OrderRequestLine.objects.filter(pk__in=set(last_ids.values())).only(
            "pk", "order_request_id", "unit_price", "price_unit", "currency"
        )
        if row.unit_price is not None
    }
    return {line_id: found[last_id] for line_id, last_id in last_ids.items() if last_id in found}


def _line_views(order_request: OrderRequest) -> list[LineView]:
    lines = list(
        order_request.lines.select_related("supplier", "connection", "cart_return", "ledger_account").order_by(
            "position"
        )
    )
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
    memberships = Membership.objects.filter(organization_id=order_request.organization_id)
    named_users = {step.approver_id for step in pending if step.approver_id}
    members = set(memberships.filter(user_id__in=named_users).values_list("user_id", flat=True))
    named_roles = {step.approver_role for step in pending if step.approver_role}
    requester_id = order_request.requester_id
    other_roles = set(
        memberships.filter(role__in=named_roles).exclude(user_id=requester_id).values_list("role", flat=True)
    )
    requester_roles = set(memberships.filter(user_id=requester_id).values_list("role", flat=True))
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
        purchase_orders=list(order_request.purchase_orders.order_by("number")),
        level=level,
        may_decide=may_decide,
        may_reopen=order_request.requester_id == membership.user_id
        and order_request.status in (OrderRequestStatus.SUBMITTED, OrderRequestStatus.REJECTED),
        blocked_steps=[view for view in step_views if view.blocked],
    )
