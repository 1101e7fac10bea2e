"""The orders list of an organization with 10,000 orders and of one with 100,000, in one database.

Each organization gets its orders over four years (``bulk_create``, each with the snapshot of a 6-line order, about
2 KB, and the history the services write: "created" and the last state change); then the database is analysed
(``ANALYZE``). The mix: 80 % received, 12 % to be received, 6 % cancelled, 1 % failed, 0.3 % held, and sending:
the newest order, just made, and one in 5,000 older ones that is stuck.

Each page is requested with the Django test client as the organization's administrator (login, membership, the
navigation's counts, the full template), 25 rows a page:

- ``filter``: ``all`` (the default) or ``attention`` (failed, held, or sending for too long);
- ``page``: ``first``, or ``deep``: the page that starts 90 % down the filter's list, or its last full page if that
  is higher up (through its ``after`` link).

The two organizations are timed in turn (10,000, 100,000, 10,000, ...), so that other work on a shared machine falls
on both alike. ``queries`` is the number of queries of one request, ``shown`` the rows on the page, ``listed`` the
rows of the filter in all; ``p50_ms``/``p99_ms`` over ``RUNS`` requests. ``floor`` lines time the bare SELECT of the
same page (same WHERE, ORDER BY and LIMIT, the table's own columns, no joins; for "needs attention" the three
SELECTs, one per state, that the list runs) through a raw cursor: the least the database needs. ``count`` times
the navigation's "need attention" COUNT alone. Each ``growth`` line divides p99 at 100,000 by p99 at 10,000.

Target (2-core machine, not asserted): p99 at 100,000 within +-20 % of p99 at 10,000, the same number of queries
on every page.

Run on SQLite (a throw-away file) or on PostgreSQL with ``DATABASE_URL`` (a database of its own: the benchmark adds
its organizations to it).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from _setup import django_setup, emit, emit_growth, paired_samples

django_setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from ocilink.accounts.models import Membership, Role  # noqa: E402
from ocilink.orders.models import PurchaseOrder  # noqa: E402
from ocilink.orders.selectors import (  # noqa: E402
    ATTENTION,
    Cursor,
    needs_attention,
    orders_needing_attention_count,
    sending_too_long_since,
)
from ocilink.orders.states import PurchaseOrderStatus  # noqa: E402
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, UserFactory  # noqa: E402
from tests.orders.seeding import seed_orders  # noqa: E402

SIZES = (10_000, 100_000)
PAGE_SIZE = 25
BUYERS = 40
RUNS = 120
WARMUP = 5
S = PurchaseOrderStatus
MIX = [
    (S.RECEIVED, 0.80),
    (S.TO_BE_RECEIVED, 0.12),
    (S.CANCELLED, 0.06),
    (S.FAILED, 0.01),
    (S.HELD, 0.003),
]
# A 6-line order as the snapshot stores it (what the supplier receives): the list must not read it.
SNAPSHOT = {
    "order_number": "PO-2026-000001",
    "currency": "EUR",
    "total": "1234.50",
    "buyer_organization": "Bench Municipality",
    "ship_to": {"name": "Town hall", "street": "Marktplein 1", "postal_code": "1234 AB", "city": "Demodorp"},
    "bill_to": {"name": "Finance", "street": "Postbus 100", "postal_code": "1230 AA", "city": "Demodorp"},
    "lines": [
        {
            "position": n,
            "description": f"Büroklammern 26/6 verzinkt, Größe M, 1000 Stück, Artikel {n}",
            "quantity": "12",
            "unit": "PCE",
            "unit_price": "4.50",
            "price_unit": "100",
            "vendormat": f"ART-{n:05d}",
            "matgroup": "44122104",
            "longtext": "Verzinkte Büroklammern für den täglichen Gebrauch, in der Schachtel zu 1000 Stück.",
        }
        for n in range(1, 7)
    ],
}


def _statuses(rng: random.Random, count: int) -> list[str]:
    statuses: list[str] = []
    for status, share in MIX:
        statuses += [status] * round(count * share)
    stuck = max(1, count // 5000)
    statuses += [S.SENDING] * stuck  # older orders still sending: stuck
    statuses += [S.RECEIVED] * (count - len(statuses) - 1)
    rng.shuffle(statuses)
    return [S.SENDING] + statuses  # the newest was made a moment ago and is on its way


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _deep_cursor(admin: Membership, attention: bool) -> tuple[Cursor, int]:
    """The cursor that starts the page 90 % down the list (or the last full page, if that is higher up), and how
    long the list is."""
    orders = PurchaseOrder.objects.filter(organization_id=admin.organization_id)
    if attention:
        orders = orders.filter(needs_attention(sending_too_long_since()))
    total = orders.count()
    position = max(0, min(int(total * 0.9), total - PAGE_SIZE - 1) - 1)
    order = orders.order_by("-created_at", "-pk").only("created_at")[position]
    return Cursor.at(order.created_at, order.pk), total


def _floor_sql(status: str | None, deep: bool) -> str:
    """The bare SELECT of one page: of every order, or of one state (sending: only those sending too long)."""
    where = ["o.organization_id = %s"]
    if status is not None:
        where.append("o.status = %s")
    if status == S.SENDING:
        where.append(
            "NOT EXISTS (SELECT 1 FROM orders_purchaseorderevent e WHERE e.purchase_order_id = o.id"
            " AND e.to_status = 'sending' AND e.at >= %s)"
        )
    if deep:
        where.append("o.created_at <= %s AND (o.created_at < %s OR o.id < %s)")
    return (
        "SELECT o.id, o.number, o.status, o.created_at, o.currency, o.total, o.supplier_id, o.buyer_id"
        f" FROM orders_purchaseorder o WHERE {' AND '.join(where)}"
        f" ORDER BY o.created_at DESC, o.id DESC LIMIT {PAGE_SIZE + 1}"
    )


def _samples(runs: dict[int, Callable[[], object]]) -> dict[int, list[float]]:
    return paired_samples(runs, warmup=WARMUP, repeat=RUNS)


def _growth(samples: dict[int, list[float]], digits: int, **labels: object) -> None:
    emit_growth(samples, bench="orders_list", db=connection.vendor, size_label="orders", digits=digits, **labels)


def _page_run(client: Client, params: dict[str, object]):  # type: ignore[no-untyped-def]
    url = reverse("orders:list")

    def run() -> None:
        assert client.get(url, params).status_code == 200

    return run


def _floor_run(admin: Membership, attention: bool, cursor: Cursor | None):  # type: ignore[no-untyped-def]
    """The page's SELECTs through a raw cursor: one, or for "needs attention" one per state, as the list asks."""
    statuses: tuple[str | None, ...] = (S.FAILED, S.HELD, S.SENDING) if attention else (None,)
    queries = [(status, _floor_sql(status, cursor is not None)) for status in statuses]

    def run() -> None:
        for status, sql in queries:
            args: list[object] = [admin.organization_id]
            if status is not None:
                args.append(str(status))
            if status == S.SENDING:
                args.append(sending_too_long_since())
            if cursor is not None:
                args += [cursor.moment, cursor.moment, cursor.pk]
            with connection.cursor() as raw:
                raw.execute(sql, args)
                raw.fetchall()

    return run


def measure(admins: dict[int, Membership]) -> None:
    clients = {}
    for size, admin in admins.items():
        clients[size] = Client(HTTP_HOST="127.0.0.1")
        clients[size].force_login(admin.user)
    for name, attention in (("all", False), ("attention", True)):
        deep = {size: _deep_cursor(admin, attention) for size, admin in admins.items()}
        for page in ("first", "deep"):
            params = {}
            for size in admins:
                params[size] = {"status": ATTENTION.key} if attention else {}
                if page == "deep":
                    params[size]["after"] = str(deep[size][0])
                with CaptureQueriesContext(connection) as captured:
                    response = clients[size].get(reverse("orders:list"), params[size])
                assert response.status_code == 200
                emit(
                    bench="orders_list",
                    db=connection.vendor,
                    orders=size,
                    filter=name,
                    page=page,
                    listed=deep[size][1],
                    shown=response.content.decode().count("<tr data-order="),
                    queries=len(captured),
                )
            samples = _samples({size: _page_run(clients[size], params[size]) for size in admins})
            _growth(samples, 2, filter=name, page=page)
            samples = _samples(
                {
                    size: _floor_run(admin, attention, deep[size][0] if page == "deep" else None)
                    for size, admin in admins.items()
                }
            )
            _growth(samples, 3, filter=name, page=page, floor=True)
    samples = _samples(
        {size: (lambda admin=admin: orders_needing_attention_count(membership=admin)) for size, admin in admins.items()}
    )
    for size, admin in admins.items():
        counted = orders_needing_attention_count(membership=admin)
        emit(
            bench="orders_list",
            db=connection.vendor,
            orders=size,
            count="need attention",
            value=counted.value,
            limit=counted.limit,
            shown=str(counted),
        )
    _growth(samples, 3, count="need attention")


def _organization(rng: random.Random, size: int) -> Membership:
    """An organization with ``size`` orders over the last years and its administrator."""
    started = time.perf_counter()
    organization = OrganizationFactory(name=f"Bench Municipality {size}")
    buyers = [UserFactory(first_name=f"Buyer{n}", last_name="Bench") for n in range(BUYERS)]
    for buyer in buyers:
        MembershipFactory(user=buyer, organization=organization, role=Role.BUYER)
    admin_user = UserFactory(first_name="Admin", last_name="Bench")
    MembershipFactory(user=admin_user, organization=organization, role=Role.ADMINISTRATOR)
    suppliers = [SupplierFactory(organization=organization) for _ in range(8)]
    seed_orders(
        organization=organization,
        buyers=buyers,
        suppliers=suppliers,
        statuses=_statuses(rng, size),
        newest=timezone.now(),
        spacing=timedelta(days=4 * 365) / size,  # four years of orders
        snapshot=SNAPSHOT,
        batch_size=5000,
    )
    emit(
        bench="orders_list",
        db=connection.vendor,
        setup="organization",
        orders=PurchaseOrder.objects.filter(organization=organization).count(),
        build_s=round(time.perf_counter() - started, 1),
    )
    return Membership.objects.select_related("user", "organization").get(user=admin_user)


def main() -> None:
    rng = random.Random(7)  # the same organizations on every run
    admins = {size: _organization(rng, size) for size in SIZES}
    _analyze()
    measure(admins)


if __name__ == "__main__":
    main()
