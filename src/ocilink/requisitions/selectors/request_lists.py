"""Which order requests a member sees, and the two list pages: a member's order requests, and what waits for
their approval.

The list pages are paged by keyset (``core.keyset``): the order requests newest first (``created_at``, then
``pk``), each page one range of an index of ``OrderRequest``; what waits for approval oldest first (the submission
time, then the request's id), each page one range of each of two indexes of ``ApprovalStep`` (by name, by role).
So a page costs the same whatever the organization's size and however deep it is; no count of the whole list and
no ``OFFSET``. A page runs a fixed number of queries whatever its size and depth: its rows as plain values with
their requester and cost centre (what waits for approval: first the two reads of the steps), then one query for
the lines and one for the open steps of all rows of the page. How many requests wait for a member's approval is a
bounded count (``WAITING_COUNT_LIMIT``), which the navigation runs with its other counts in one query, its SQL made
once per process (``core.counts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Exists, IntegerField, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from ocilink.accounts.models import Membership, Role
from ocilink.core.counts import CountQuery, Slot, bounded_counts
from ocilink.core.keyset import BoundedCount, Cursor, Keyset, KeysetPage, keyset_page
from ocilink.core.money import net_amount, totals_per_currency
from ocilink.requisitions.models import ApprovalStep, OrderRequest, OrderRequestLine
from ocilink.requisitions.states import OrderRequestStatus


def sees_all_requests(membership: Membership) -> bool:
    """Approvers and administrators (and platform staff) see every order request of their organization."""
    return membership.role in (Role.APPROVER, Role.ADMINISTRATOR) or membership.user.is_staff


def _naming(membership: Membership) -> Q:
    """Steps that name this member: as their approver, or through their role."""
    return Q(approver_id=membership.user_id) | Q(approver_role=membership.role)


def order_requests_visible_to(*, membership: Membership) -> QuerySet[OrderRequest]:
    """What a member may open: their own requests; all of them for approvers and administrators; and, for any
    member, the requests with a step that names them."""
    requests = OrderRequest.objects.filter(organization_id=membership.organization_id)
    if sees_all_requests(membership):
        return requests
    named = ApprovalStep.objects.filter(_naming(membership), order_request=OuterRef("pk"))
    return requests.filter(Q(requester_id=membership.user_id) | Exists(named))


# The order of each list. The list of requests: newest first (the indexes of ``OrderRequest`` end in these columns).
# What waits for approval: longest waiting first, read from the approval steps (their indexes end in these columns;
# ``waiting_since`` is the request's submission time, and the request's id tells apart requests of one moment).
NEWEST_FIRST = Keyset("created_at")
LONGEST_WAITING_FIRST = Keyset("waiting_since", descending=False, tiebreak="order_request_id")

# "To approve (N)" counts up to this many and says "more than 100" beyond. The count runs on every page: one that
# stops there costs the same for an approver with 200 requests waiting as for one with 20,000, and past a hundred
# the exact number tells an approver nothing more about where to start (the oldest, at the top of their list).
WAITING_COUNT_LIMIT = 100


def order_request_list(*, membership: Membership, status: str = "") -> QuerySet[OrderRequest]:
    """A member's own order requests; approvers and administrators see every submitted one (other people's carts
    stay private). Newest first: by creation time, then id."""
    requests = OrderRequest.objects.filter(organization_id=membership.organization_id)
    if sees_all_requests(membership):
        requests = requests.filter(~Q(status=OrderRequestStatus.DRAFT) | Q(requester_id=membership.user_id))
    else:
        requests = requests.filter(requester_id=membership.user_id)
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at", "-pk")


def _deciding_now() -> QuerySet[ApprovalStep]:
    """Pending steps with no pending step of a lower level on their request: the level being decided now."""
    lower_level_open = ApprovalStep.objects.filter(
        order_request=OuterRef("order_request"), status=ApprovalStep.Status.PENDING, level__lt=OuterRef("level")
    )
    return ApprovalStep.objects.filter(status=ApprovalStep.Status.PENDING).filter(~Exists(lower_level_open))


def order_requests_waiting_for(*, membership: Membership) -> QuerySet[OrderRequest]:
    """Submitted requests of other people with a pending step that names this member at its current level (all
    lower levels approved). Oldest first: they have waited longest."""
    if membership.pk is None:  # platform staff acting in the organization: they see, but never approve
        return OrderRequest.objects.none()
    mine_now = _deciding_now().filter(_naming(membership), order_request=OuterRef("pk"))
    return (
        OrderRequest.objects.filter(organization_id=membership.organization_id, status=OrderRequestStatus.SUBMITTED)
        .exclude(requester_id=membership.user_id)
        .filter(Exists(mine_now))
        .order_by("submitted_at", "pk")
    )


def _waiting_steps(*, organization_id: Any, user_id: Any, role: Any) -> list[QuerySet[ApprovalStep, Any]]:
    """The steps that make a request wait for this member (values, or ``Slot``s for the count): the two querysets
    of ``approval_steps_waiting_for``."""
    steps = (
        _deciding_now()
        .filter(organization_id=organization_id, order_request__status=OrderRequestStatus.SUBMITTED)
        .exclude(order_request__requester_id=user_id)
        .values("order_request_id", "waiting_since")
        .distinct()
    )
    return [steps.filter(approver_id=user_id), steps.filter(approver_role=role)]


def approval_steps_waiting_for(*, membership: Membership) -> list[QuerySet[ApprovalStep, Any]]:
    """``order_requests_waiting_for`` read from the steps, as the list and its count read it: one queryset for the
    steps that name this member and one for those that name their role, each a range of one index of
    ``ApprovalStep`` in the order ``LONGEST_WAITING_FIRST`` (reading the requests first would have the database
    look at every submitted request of the organization to find the few that wait for a named approver). Each row:
    ``order_request_id`` and ``waiting_since``, once per request."""
    if membership.pk is None:
        return []
    return _waiting_steps(organization_id=membership.organization_id, user_id=membership.user_id, role=membership.role)


def _waiting_count_sources(member: bool) -> list[QuerySet[ApprovalStep, Any]]:
    """The count's sources: ``approval_steps_waiting_for`` with slots, each in the order of its index (the database
    reads one range of it and stops); none for platform staff, who never approve."""
    if not member:
        return []
    steps = _waiting_steps(
        organization_id=Slot("organization", IntegerField()),
        user_id=Slot("user", IntegerField()),
        role=Slot("role", CharField()),
    )
    return [LONGEST_WAITING_FIRST.seek(source) for source in steps]


def approvals_waiting_query(membership: Membership) -> CountQuery:
    """How many requests wait for this member's approval, up to ``WAITING_COUNT_LIMIT`` (for a link with a count),
    as a count to run with the navigation's others: at most ``WAITING_COUNT_LIMIT + 1`` of them from each of
    ``approval_steps_waiting_for``, counted together."""
    return CountQuery(
        limit=WAITING_COUNT_LIMIT,
        shape=membership.pk is not None,
        sources=_waiting_count_sources,
        values={"organization": membership.organization_id, "user": membership.user_id, "role": membership.role},
    )


def approvals_waiting_count(*, membership: Membership) -> BoundedCount:
    """``approvals_waiting_query`` on its own (the navigation runs it with its other counts)."""
    return bounded_counts({"count": approvals_waiting_query(membership)})["count"]


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
    """The requests as the values a list row needs; take a page of this, then pass it to ``request_rows``."""
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
    # No order (the model's would join the requests only to sort by their creation time).
    for request_id, currency, unit_price, quantity, price_unit in (
        OrderRequestLine.objects.filter(order_request_id__in=ids)
        .order_by()
        .values_list("order_request_id", "currency", "unit_price", "quantity", "price_unit")
    ):
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


def order_request_list_page(
    *,
    membership: Membership,
    status: str = "",
    size: int = 25,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> KeysetPage[RequestRow]:
    """A page of ``order_request_list``, newest first: the first, the one after ``after`` or before ``before``."""
    values = row_values(order_request_list(membership=membership, status=status))

    def fetch(after: Cursor | None, before: Cursor | None, limit: int) -> list[dict[str, Any]]:
        return NEWEST_FIRST.rows(values, after=after, before=before, limit=limit)

    page = keyset_page(fetch, cursor_of=NEWEST_FIRST.cursor_of, size=size, after=after, before=before)
    return page.with_rows(request_rows(page.rows))


def waiting_page(
    *, membership: Membership, size: int = 25, after: Cursor | None = None, before: Cursor | None = None
) -> KeysetPage[RequestRow]:
    """A page of what waits for this member's approval, oldest first: the steps that make each request of the page
    wait (one query per way a step names the member, merged), then the requests' rows."""
    sources = approval_steps_waiting_for(membership=membership)

    def fetch(after: Cursor | None, before: Cursor | None, limit: int) -> list[dict[str, Any]]:
        return LONGEST_WAITING_FIRST.merged_rows(sources, after=after, before=before, limit=limit)

    page = keyset_page(fetch, cursor_of=LONGEST_WAITING_FIRST.cursor_of, size=size, after=after, before=before)
    ids = [row["order_request_id"] for row in page.rows]
    found = {value["pk"]: value for value in row_values(OrderRequest.objects.filter(pk__in=ids))}
    return page.with_rows(request_rows(found[pk] for pk in ids if pk in found))
