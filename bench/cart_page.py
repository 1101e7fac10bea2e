"""The cart page and a request's page: 20 lines, and the largest cart allowed (``PUNCHOUT_MAX_LINES`` lines).

Every cart comes in through the punchout return view (HOOK_URL), as in real life: one return holds all its lines
and its raw body is stored. The organization has 50 active ledger accounts and no translation table, so every line
of a cart shows its account as a select with 50 options.

- ``cart``: the buyer's cart, as the buyer sees it.
- ``request``: an order request of the same size that the buyer submitted and that waits for the approver, as the
  approver sees it. Its lines are booked to a ledger account, and the organization approved an order of the same
  articles before, half of them at another price, so half of the lines are flagged with the earlier price.

The time covers the whole view through Django's test client with the user logged in: the session, the membership,
the navigation's counts, the queries, the template. At each size the two pages are timed in turn (cart, request,
cart, ...), so that other work on a shared machine falls on both alike.

The floor, in the same run on the same lines: ``select_ms`` is a bare SELECT of the columns the page shows (cursor,
``fetchall``); ``floor_ms`` adds rendering those rows with a bare Django template, one table row per line with the
same values (no forms, no accounts, no flags). ``queries`` is the number of queries of one page, ``page_kb`` its
size. On PostgreSQL the tables are analysed after seeding. Targets (2-core machine, not asserted): 20 lines p50 <=
15 ms; the largest size p99 <= 300 ms; the same number of queries for both sizes.

Run on SQLite (a throw-away file) or on PostgreSQL with ``DATABASE_URL`` (a database of its own: the benchmark adds
its organization to it).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from _setup import django_setup, emit, median, percentile, punchout_shop

django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import Context, Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from ocilink.accounts.models import Membership, Role  # noqa: E402
from ocilink.connections.models import Connection  # noqa: E402
from ocilink.protocols.oci import encode_cart_body  # noqa: E402
from ocilink.punchout.models import CartReturn  # noqa: E402
from ocilink.punchout.services import punchout_start  # noqa: E402
from ocilink.requisitions.handoff import order_request_submit_and_place  # noqa: E402
from ocilink.requisitions.models import ApprovalRule, OrderRequest, OrderRequestLine  # noqa: E402
from ocilink.requisitions.states import OrderRequestStatus  # noqa: E402
from ocilink.suppliers.models import LedgerAccount, OrderingRight, Supplier  # noqa: E402
from tests.factories import (  # noqa: E402
    MembershipFactory,
    UserFactory,
)

ACCOUNTS = 50
WARMUP = 3
RUNS = {20: 200}  # the largest size: LARGEST_RUNS
LARGEST_RUNS = 40

CART_FLOOR = Template(
    "<table>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td>"
    "<td>{{ row.3 }}</td><td>{{ row.4 }}</td><td>{{ row.5 }} {{ row.6 }}</td><td>{{ row.7 }}</td></tr>"
    "{% endfor %}</table>"
)
REQUEST_FLOOR = Template(
    "<table>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }} {{ row.2 }} {{ row.3 }} {{ row.4 }}</td>"
    "<td>{{ row.5 }} {{ row.6 }} {{ row.7 }}</td><td>{{ row.8 }} {{ row.9 }}</td><td>{{ row.10 }} {{ row.11 }}</td>"
    "<td>{{ row.12 }} {{ row.13 }} / {{ row.14 }}</td></tr>{% endfor %}</table>"
)


def _line(n: int, price: str = "4.50") -> dict[str, str]:
    return {
        "DESCRIPTION": f"Büroklammern 26/6 (Größe M) variant {n}",
        "QUANTITY": "12.000",
        "UNIT": "PCE",
        "PRICE": price,
        "PRICEUNIT": "100",
        "CURRENCY": "EUR",
        "VENDORMAT": f"OF-{n:05d}",
        "MANUFACTMAT": f"MP-{n}",
        "MATGROUP": "44122104",
        "LEADTIME": "3",
        "EXT_PRODUCT_ID": f"P{n}",
        "VENDOR": "100234",
        "LONGTEXT": "Long text line " * 4,
    }


def _fill(membership: Membership, supplier: Supplier, size: int, *, price: Callable[[int], str]) -> OrderRequest:
    """Fill the buyer's empty cart with one cart return of ``size`` lines through HOOK_URL; the cart."""
    started = punchout_start(
        membership=membership,
        supplier=supplier,
        delivery_address=membership.delivery_address,
        hook_url_for=lambda token: token,
    )
    token = next(value for name, value in started.fields if name == "HOOK_URL")
    body = encode_cart_body([_line(n, price(n)) for n in range(1, size + 1)])
    response = Client(HTTP_HOST="127.0.0.1").generic(
        "POST", reverse("punchout:return", args=[token]), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 303, response.status_code
    cart = OrderRequest.objects.get(requester=membership.user, status=OrderRequestStatus.DRAFT)
    assert cart.lines.count() == size, "the cart was not imported"
    return cart


def _seed(membership: Membership, supplier: Supplier, size: int, account: LedgerAccount) -> tuple[int, int]:
    """For one buyer: an approved earlier request, a submitted request waiting for approval (booked to
    ``account``) and a cart, each of ``size`` lines. The ids of the cart and of the waiting request."""
    earlier = _fill(membership, supplier, size, price=lambda n: "4.00" if n % 2 else "4.50")
    order_request_submit_and_place(order_request=earlier, requester=membership.user)
    # Seeding only: the earlier request counts as approved (its approval and orders are not what is measured).
    OrderRequest.objects.filter(pk=earlier.pk).update(status=OrderRequestStatus.APPROVED, decided_at=timezone.now())
    waiting = _fill(membership, supplier, size, price=lambda n: "4.50")
    order_request_submit_and_place(order_request=waiting, requester=membership.user)
    waiting.refresh_from_db()
    assert waiting.status == OrderRequestStatus.SUBMITTED, waiting.status
    OrderRequestLine.objects.filter(order_request=waiting).update(ledger_account=account)
    cart = _fill(membership, supplier, size, price=lambda n: "4.50")
    return cart.pk, waiting.pk


def _cart_floor(order_request_id: int) -> tuple[float, float]:
    """A bare SELECT of what the cart page shows, and the same plus a bare template; milliseconds."""
    line = OrderRequestLine._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.name, l.vendormat, l.description, l.quantity, l.unit, l.currency, l.unit_price, l.price_unit "
            f"FROM {line} l JOIN suppliers_supplier s ON s.id = l.supplier_id "
            f"WHERE l.order_request_id = %s ORDER BY l.position",
            [order_request_id],
        )
        rows = cursor.fetchall()
    selected = time.perf_counter()
    CART_FLOOR.render(Context({"rows": rows}))
    done = time.perf_counter()
    return (selected - started) * 1000, (done - started) * 1000


def _request_floor(order_request_id: int) -> tuple[float, float]:
    """A bare SELECT of what the request page shows of its lines, and the same plus a bare template; milliseconds."""
    line, supplier, account = OrderRequestLine._meta.db_table, Supplier._meta.db_table, LedgerAccount._meta.db_table
    connection_table, cart_return = Connection._meta.db_table, CartReturn._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.position, s.name, c.name, r.reference, r.received_at, l.vendormat, a.code, a.name, "
            f"l.description, l.longtext, l.quantity, l.unit, l.currency, l.unit_price, l.price_unit "
            f"FROM {line} l JOIN {supplier} s ON s.id = l.supplier_id "
            f"LEFT JOIN {connection_table} c ON c.id = l.connection_id "
            f"LEFT JOIN {cart_return} r ON r.id = l.cart_return_id "
            f"LEFT JOIN {account} a ON a.id = l.ledger_account_id "
            f"WHERE l.order_request_id = %s ORDER BY l.position",
            [order_request_id],
        )
        rows = cursor.fetchall()
    selected = time.perf_counter()
    REQUEST_FLOOR.render(Context({"rows": rows}))
    done = time.perf_counter()
    return (selected - started) * 1000, (done - started) * 1000


class Page:
    """One page to time: who asks for it, its URL, its floor, and the samples."""

    def __init__(
        self, name: str, client: Client, url: str, floor: Callable[[int], tuple[float, float]], request_id: int
    ) -> None:
        self.name, self.client, self.url, self.floor, self.request_id = name, client, url, floor, request_id
        self.samples: list[float] = []
        self.selects: list[float] = []
        self.floors: list[float] = []

    def check(self, size: int) -> dict[str, Any]:
        """One request with its queries counted; the page must show every line."""
        with CaptureQueriesContext(connection) as captured:
            page = self.client.get(self.url)
        queries = len(captured.captured_queries)  # read now: the log is cleared by the next request
        assert page.status_code == 200, page.status_code
        assert page.content.count(b'<tr data-line="') == size, self.name
        return {"queries": queries, "page_kb": round(len(page.content) / 1024, 1)}

    def time(self, keep: bool) -> None:
        started = time.perf_counter()
        response = self.client.get(self.url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        select_ms, floor_ms = self.floor(self.request_id)
        if keep:
            self.samples.append(elapsed)
            self.selects.append(select_ms)
            self.floors.append(floor_ms)


def main() -> None:
    run = uuid.uuid4().hex[:8]  # the database may hold earlier runs (PostgreSQL): names of this run are its own
    organization, address, supplier = punchout_shop(slug=f"bench-{run}", name=f"Bench {run}")
    LedgerAccount.objects.bulk_create(
        LedgerAccount(organization=organization, code=f"4{n:03d}", name=f"Expense account {n}") for n in range(ACCOUNTS)
    )
    account = LedgerAccount.objects.filter(organization=organization).order_by("code").first()
    assert account is not None
    # Every order of a buyer needs the approver's approval.
    OrderingRight.objects.create(
        organization=organization, role=Role.BUYER, may_order=True, all_supplier_groups=True, limit_without_approval=0
    )
    ApprovalRule.objects.create(organization=organization, name="all", level=1, approver_role=Role.APPROVER)
    approver = MembershipFactory(
        organization=organization, role=Role.APPROVER, user=UserFactory(username=f"approver-{run}")
    )
    approving = Client(HTTP_HOST="127.0.0.1")
    approving.force_login(approver.user)
    largest = settings.PUNCHOUT_MAX_LINES

    for size in (20, largest):
        buyer = MembershipFactory(
            organization=organization,
            role=Role.BUYER,
            delivery_address=address,
            user=UserFactory(username=f"buyer-{size}-{run}"),
        )
        cart_id, waiting_id = _seed(buyer, supplier, size, account)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        buying = Client(HTTP_HOST="127.0.0.1")
        buying.force_login(buyer.user)
        pages = [
            Page("cart", buying, reverse("requisitions:cart"), _cart_floor, cart_id),
            Page(
                "request",
                approving,
                reverse("requisitions:request_detail", args=[waiting_id]),
                _request_floor,
                waiting_id,
            ),
        ]
        checked = {page.name: page.check(size) for page in pages}
        runs = RUNS.get(size, LARGEST_RUNS)
        for attempt in range(runs + WARMUP):
            for page in pages:
                page.time(keep=attempt >= WARMUP)
        for page in pages:
            p50 = median(page.samples)
            emit(
                bench="cart_page",
                page=page.name,
                database=connection.vendor,
                lines=size,
                accounts=ACCOUNTS,
                runs=runs,
                **checked[page.name],
                p50_ms=round(p50, 2),
                p99_ms=round(percentile(page.samples, 99), 2),
                select_ms=round(median(page.selects), 2),
                floor_ms=round(median(page.floors), 2),
                ratio_to_floor=round(p50 / median(page.floors), 2),
                us_per_line=round(p50 * 1000 / size, 1),
            )


if __name__ == "__main__":
    main()
