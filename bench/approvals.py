"""Approval pages of an organization with 10,000 order requests and of one with 100,000, in one database.

Each organization gets its order requests built with ``bulk_create``: a realistic mix of statuses (two thirds
approved, a fifth waiting for approval, some rejected and cancelled, one cart per buyer), submitted over the last
two years, 1 to 5 lines each, and
approval steps: every submitted request waits at level 1 for the role "approver", a third of them also need a
named finance approver at level 2 (half of those have passed level 1 already), and decided requests keep their
decided steps. Then the database is analysed (``ANALYZE``) and, with the Django test client, each page is requested
at page sizes 25, 50 and 100, for each organization:

- ``waiting``: "waiting for my approval" of an approver (by role, level 1);
- ``waiting_named``: the same page for a finance approver named by a level-2 rule;
- ``list``: the order-request list of an administrator (every request of the organization);
- ``list_mine``: a buyer's own requests;
- ``detail``: one submitted request's page for its approver (lines with origin and price flags, steps, history),
  which looks up the last approved price of each line's article among the organization's approved lines.

``queries`` is the number of queries of one request (``CaptureQueriesContext``), ``shown`` the rows on the page;
the ``counts`` line says how many requests each list holds in all.

Growth: ``list``, ``waiting`` and ``waiting_named`` are then timed at 25 rows a page on the first page and on a
deep one (the page that starts 90 % down the list, through its ``after`` link), the two organizations in turn
(10,000, 100,000, 10,000, ...) so that other work on a shared machine falls on both alike, each with its
``floor``: the bare SELECT of that page (the same WHERE, ORDER BY and LIMIT, ids only; what waits for approval: the
two reads of the approval steps, by name and by role) through a raw cursor. ``count`` times the navigation's "to
approve" count alone (of the approver and of the named approver), which stops after ``WAITING_COUNT_LIMIT``
requests. Each ``growth`` line divides p99 at 100,000 by p99 at 10,000.

Targets (2-core machine, not asserted): the same number of queries at every page size, p99 <= 200 ms, and p99 at
100,000 within +-20 % of p99 at 10,000. Run on SQLite (a throw-away file) or on PostgreSQL with ``DATABASE_URL`` (a
database of its own: the benchmark adds its organizations to it).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from _setup import django_setup, emit, emit_growth, median, paired_samples, percentile

django_setup()

from django.db import connection  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from ocilink.accounts.models import Membership, Role  # noqa: E402
from ocilink.core.keyset import Cursor  # noqa: E402
from ocilink.requisitions.models import ApprovalRule, ApprovalStep, OrderRequest, OrderRequestLine  # noqa: E402
from ocilink.requisitions.selectors import (  # noqa: E402
    LONGEST_WAITING_FIRST,
    NEWEST_FIRST,
    approval_steps_waiting_for,
    approvals_waiting_count,
    order_request_list,
    order_requests_waiting_for,
)
from ocilink.requisitions.states import OrderRequestStatus  # noqa: E402
from tests.factories import (  # noqa: E402
    DeliveryAddressFactory,
    MembershipFactory,
    OrganizationFactory,
    SupplierFactory,
    UserFactory,
)

SIZES = (10_000, 100_000)
BUYERS = 40
APPROVERS = 4
FINANCE = 2
PAGE_SIZES = (25, 50, 100)
RUNS = 50
WARMUP = 3
# Of the requests that are not carts: the share of each status.
MIX = [
    (OrderRequestStatus.APPROVED, 0.67),
    (OrderRequestStatus.SUBMITTED, 0.20),
    (OrderRequestStatus.REJECTED, 0.08),
    (OrderRequestStatus.CANCELLED, 0.05),
]
STEP = ApprovalStep.Status


def _people(organization):  # type: ignore[no-untyped-def]
    def member(role: str, name: str):  # type: ignore[no-untyped-def]
        user = UserFactory(first_name=name, last_name="Bench", email=f"{name.lower()}@example.org")
        MembershipFactory(user=user, organization=organization, role=role)
        return user

    buyers = [member(Role.BUYER, f"Buyer{n}") for n in range(BUYERS)]
    approvers = [member(Role.APPROVER, f"Approver{n}") for n in range(APPROVERS)]
    finance = [member(Role.BUYER, f"Finance{n}") for n in range(FINANCE)]
    admin = member(Role.ADMINISTRATOR, "Admin")
    return buyers, approvers, finance, admin


def build(rng: random.Random, requests_count: int):  # type: ignore[no-untyped-def]
    """An organization with this many requests; returns the people whose pages are measured."""
    organization = OrganizationFactory(name=f"Bench Municipality {requests_count}")
    address = DeliveryAddressFactory(organization=organization, is_default=True)
    suppliers = [SupplierFactory(organization=organization) for _ in range(5)]
    buyers, approvers, finance, admin = _people(organization)
    level_1 = ApprovalRule.objects.create(organization=organization, name="Manager", approver_role=Role.APPROVER)
    level_2 = [
        ApprovalRule.objects.create(
            organization=organization, name=f"Finance {n}", level=2, min_amount=Decimal("10000"), approver=user
        )
        for n, user in enumerate(finance)
    ]
    statuses = [OrderRequestStatus.DRAFT] * BUYERS
    for status, share in MIX:
        statuses += [status] * round((requests_count - BUYERS) * share)
    statuses = statuses[:requests_count]
    rng.shuffle(statuses)
    now = timezone.now()
    spacing = timedelta(days=2 * 365) / requests_count  # two years of requests, the oldest first
    carts_made: set[int] = set()
    requests = []
    for position, status in enumerate(statuses):
        if status == OrderRequestStatus.DRAFT:
            requester = next(b for b in buyers if b.pk not in carts_made)
            carts_made.add(requester.pk)
        else:
            requester = rng.choice(buyers)
        decided = status in (OrderRequestStatus.APPROVED, OrderRequestStatus.REJECTED, OrderRequestStatus.CANCELLED)
        requests.append(
            OrderRequest(
                organization=organization,
                requester=requester,
                status=status,
                delivery_address=address,
                reference=f"Project {rng.randint(1, 400)}",
                submitted_at=None
                if status == OrderRequestStatus.DRAFT
                else now - (requests_count - position) * spacing,
                decided_at=now if decided else None,
            )
        )
    requests = OrderRequest.objects.bulk_create(requests, batch_size=5000)

    lines = []
    steps = []
    for order_request in requests:
        for position in range(1, rng.randint(1, 5) + 1):
            supplier = rng.choice(suppliers)
            lines.append(
                OrderRequestLine(
                    order_request=order_request,
                    position=position,
                    supplier=supplier,
                    connection=supplier.external_connection,
                    description=f"Article {rng.randint(1, 300)}",
                    quantity=Decimal(rng.randint(1, 50)),
                    unit="PCE",
                    unit_price=Decimal(rng.randint(50, 90_000)) / 100,
                    price_unit=Decimal(1),
                    currency="EUR",
                    vendormat=f"ART-{rng.randint(1, 300):04d}",
                )
            )
        status = order_request.status
        if status == OrderRequestStatus.DRAFT:
            continue
        two_levels = rng.random() < 1 / 3
        first = {
            OrderRequestStatus.SUBMITTED: STEP.APPROVED if two_levels and rng.random() < 0.5 else STEP.PENDING,
            OrderRequestStatus.APPROVED: STEP.APPROVED,
            OrderRequestStatus.REJECTED: STEP.REJECTED,
            OrderRequestStatus.CANCELLED: STEP.VOID,
        }[status]
        decider = rng.choice(approvers) if first in (STEP.APPROVED, STEP.REJECTED) else None
        steps.append(
            ApprovalStep(
                order_request=order_request,
                organization=organization,
                waiting_since=order_request.submitted_at,
                rule=level_1,
                level=1,
                approver_role=Role.APPROVER,
                status=first,
                decided_by=decider,
                decided_at=now if decider else None,
            )
        )
        if two_levels:
            rule = rng.choice(level_2)
            second = {
                OrderRequestStatus.SUBMITTED: STEP.PENDING,
                OrderRequestStatus.APPROVED: STEP.APPROVED,
                OrderRequestStatus.REJECTED: STEP.VOID,
                OrderRequestStatus.CANCELLED: STEP.VOID,
            }[status]
            steps.append(
                ApprovalStep(
                    order_request=order_request,
                    organization=organization,
                    waiting_since=order_request.submitted_at,
                    rule=rule,
                    level=2,
                    approver=rule.approver,
                    status=second,
                    decided_by=rule.approver if second == STEP.APPROVED else None,
                    decided_at=now if second == STEP.APPROVED else None,
                )
            )
    OrderRequestLine.objects.bulk_create(lines, batch_size=5000)
    ApprovalStep.objects.bulk_create(steps, batch_size=5000)
    return {"waiting": approvers[0], "waiting_named": finance[0], "list": admin, "list_mine": buyers[0]}, len(lines)


def measure(page: str, user, url: str, requests: int) -> None:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for size in PAGE_SIZES:
        params = {"per_page": size}
        for _ in range(WARMUP):
            assert client.get(url, params).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        queries = len(captured)  # read now: the next request clears the connection's query log
        assert response.status_code == 200
        shown = response.content.decode().count("<tr data-request=")
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(url, params)
            samples.append((time.perf_counter() - started) * 1000)
        emit(
            bench="approvals",
            db=connection.vendor,
            requests=requests,
            page=page,
            page_size=size,
            shown=shown,
            queries=queries,
            p50_ms=round(median(samples), 2),
            p99_ms=round(percentile(samples, 99), 2),
        )


def measure_detail(user, membership, requests: int) -> None:  # type: ignore[no-untyped-def]
    order_request = order_requests_waiting_for(membership=membership).filter(lines__position=5).first()
    url = reverse("requisitions:request_detail", args=[order_request.pk])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    emit(
        bench="approvals",
        db=connection.vendor,
        requests=requests,
        page="detail",
        lines=order_request.lines.count(),
        flagged=response.content.decode().count('class="warning flag"'),
        queries=queries,
        p50_ms=round(median(samples), 2),
        p99_ms=round(percentile(samples, 99), 2),
    )


# --- growth: the same page at 10,000 and at 100,000 requests, first and deep, with the floor ---------------------

GROWTH_PAGE_SIZE = 25


def _samples(runs: dict[int, Callable[[], object]]) -> dict[int, list[float]]:
    return paired_samples(runs, warmup=WARMUP, repeat=RUNS)


def _growth(samples: dict[int, list[float]], digits: int, **labels: object) -> None:
    emit_growth(samples, bench="approvals", db=connection.vendor, size_label="requests", digits=digits, **labels)


def _deep_cursor(page: str, membership: Membership) -> Cursor:
    """The cursor that starts the page 90 % down the list (its ``after`` link)."""
    waiting = page.startswith("waiting")
    requests = (
        order_requests_waiting_for(membership=membership) if waiting else order_request_list(membership=membership)
    )
    total = requests.count()
    position = max(0, min(int(total * 0.9), total - GROWTH_PAGE_SIZE - 1) - 1)
    row = requests.only("created_at", "submitted_at")[position]
    return Cursor.at(row.submitted_at if waiting else row.created_at, row.pk)


def _floor_selects(page: str, membership: Membership, cursor: Cursor | None) -> list[QuerySet[Any, Any]]:
    """The page's own SELECTs (ids only): what waits for approval, one per way a step names the member (by name, by
    role); the list, one."""
    limit = GROWTH_PAGE_SIZE + 1
    if page.startswith("waiting"):
        return [
            LONGEST_WAITING_FIRST.seek(steps, after=cursor)[:limit]
            for steps in approval_steps_waiting_for(membership=membership)
        ]
    requests = order_request_list(membership=membership)
    return [NEWEST_FIRST.seek(requests, after=cursor).values_list("pk", flat=True)[:limit]]


def measure_growth(people: dict[int, dict[str, object]]) -> None:
    urls = {
        "list": reverse("requisitions:request_list"),
        "waiting": reverse("requisitions:waiting"),
        "waiting_named": reverse("requisitions:waiting"),
    }
    for page, url in urls.items():
        clients, memberships, cursors = {}, {}, {}
        for size, users in people.items():
            clients[size] = Client(HTTP_HOST="127.0.0.1")
            clients[size].force_login(users[page])
            memberships[size] = Membership.objects.select_related("user").get(user=users[page])
            cursors[size] = _deep_cursor(page, memberships[size])
        for depth in ("first", "deep"):
            params = {
                size: {"per_page": GROWTH_PAGE_SIZE, **({"after": str(cursors[size])} if depth == "deep" else {})}
                for size in people
            }
            for size in people:
                with CaptureQueriesContext(connection) as captured:
                    response = clients[size].get(url, params[size])
                assert response.status_code == 200
                emit(
                    bench="approvals",
                    db=connection.vendor,
                    requests=size,
                    page=page,
                    depth=depth,
                    shown=response.content.decode().count("<tr data-request="),
                    queries=len(captured),
                )

            runs = {size: _page_run(clients[size], url, params[size]) for size in people}
            _growth(_samples(runs), 2, page=page, depth=depth)
            floors = {
                size: _floor_run(_floor_selects(page, memberships[size], cursors[size] if depth == "deep" else None))
                for size in people
            }
            _growth(_samples(floors), 3, page=page, depth=depth, floor=True)
    for page in ("waiting", "waiting_named"):
        members = {
            size: Membership.objects.select_related("user").get(user=users[page]) for size, users in people.items()
        }
        for size, membership in members.items():
            counted = approvals_waiting_count(membership=membership)
            emit(
                bench="approvals",
                db=connection.vendor,
                requests=size,
                count="to approve",
                page=page,
                value=counted.value,
                limit=counted.limit,
                shown=str(counted),
            )
        counts = {
            size: (lambda m=membership: approvals_waiting_count(membership=m)) for size, membership in members.items()
        }
        _growth(_samples(counts), 3, count="to approve", page=page)


def _page_run(client: Client, url: str, params: dict[str, object]):  # type: ignore[no-untyped-def]
    def run() -> None:
        assert client.get(url, params).status_code == 200

    return run


def _floor_run(selects: list[QuerySet[Any, Any]]):  # type: ignore[no-untyped-def]
    """The page's own SELECTs through a raw cursor."""
    statements = [select.query.sql_with_params() for select in selects]

    def run() -> None:
        with connection.cursor() as raw:
            for sql, args in statements:
                raw.execute(sql, args)
                raw.fetchall()

    return run


def main() -> None:
    rng = random.Random(4)  # the same organizations on every run
    people = {}
    for size in SIZES:
        started = time.perf_counter()
        people[size], line_count = build(rng, size)
        emit(
            bench="approvals",
            db=connection.vendor,
            setup="organization",
            requests=OrderRequest.objects.filter(
                organization=people[size]["list"].memberships.get().organization
            ).count(),
            lines=line_count,
            build_s=round(time.perf_counter() - started, 1),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    urls = {
        "waiting": reverse("requisitions:waiting"),
        "waiting_named": reverse("requisitions:waiting"),
        "list": reverse("requisitions:request_list"),
        "list_mine": reverse("requisitions:request_list"),
    }
    for size, users in people.items():
        memberships = {page: Membership.objects.select_related("user").get(user=user) for page, user in users.items()}
        emit(
            bench="approvals",
            db=connection.vendor,
            requests=size,
            counts={
                "waiting": order_requests_waiting_for(membership=memberships["waiting"]).count(),
                "waiting_named": order_requests_waiting_for(membership=memberships["waiting_named"]).count(),
                "list": order_request_list(membership=memberships["list"]).count(),
                "list_mine": order_request_list(membership=memberships["list_mine"]).count(),
            },
        )
        for page, user in users.items():
            measure(page, user, urls[page], size)
        measure_detail(users["waiting"], memberships["waiting"], size)
    measure_growth(people)


if __name__ == "__main__":
    main()
