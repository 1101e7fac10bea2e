"""The cart page: a buyer's cart of 20 lines, and the largest cart allowed (``PUNCHOUT_MAX_LINES`` lines).

Each cart comes in through the punchout return view (HOOK_URL), as in real life: one return holds all its lines
and its raw body is stored. The organization has 50 active ledger accounts and no translation table, so every line
shows its account as a select with 50 options. The time covers the whole view through Django's test client with
the buyer logged in: the queries, the ledger options and the template.

The floor, in the same run on the same lines: ``select_ms`` is a bare SELECT of the columns the page shows
(cursor, ``fetchall``); ``floor_ms`` adds rendering those rows with a bare Django template, one table row per line
with the same eight values (no forms, no accounts). ``queries`` is the number of queries of one page, ``page_kb``
its size. On PostgreSQL the tables are analysed after seeding. Targets (2-core machine): 20 lines p50 <= 15 ms;
the largest cart p99 <= 300 ms; the same number of queries for both.
"""

from __future__ import annotations

import time
import uuid

from _setup import django_setup, emit, median, percentile

django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import Context, Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from ocilink.connections.services import oci_credential_set  # noqa: E402
from ocilink.protocols.oci import encode_cart_body  # noqa: E402
from ocilink.punchout.services import punchout_start  # noqa: E402
from ocilink.requisitions.models import OrderRequest, OrderRequestLine  # noqa: E402
from ocilink.suppliers.models import LedgerAccount  # noqa: E402
from tests.factories import (  # noqa: E402
    DeliveryAddressFactory,
    MembershipFactory,
    OrganizationFactory,
    SupplierFactory,
    UserFactory,
)

ACCOUNTS = 50
WARMUP = 3

FLOOR_TEMPLATE = Template(
    "<table>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td>"
    "<td>{{ row.3 }}</td><td>{{ row.4 }}</td><td>{{ row.5 }} {{ row.6 }}</td><td>{{ row.7 }}</td></tr>"
    "{% endfor %}</table>"
)


def _line(n: int) -> dict[str, str]:
    return {
        "DESCRIPTION": f"Büroklammern 26/6 (Größe M) variant {n}",
        "QUANTITY": "12.000",
        "UNIT": "PCE",
        "PRICE": "4.50",
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


def _fill(membership, supplier, address, size: int) -> None:  # type: ignore[no-untyped-def]
    """Empty the buyer's cart, then fill it with one cart return of ``size`` lines through HOOK_URL."""
    OrderRequest.objects.filter(organization=membership.organization).delete()
    started = punchout_start(
        membership=membership, supplier=supplier, delivery_address=address, hook_url_for=lambda token: token
    )
    token = next(value for name, value in started.fields if name == "HOOK_URL")
    body = encode_cart_body([_line(n) for n in range(1, size + 1)])
    response = Client(HTTP_HOST="127.0.0.1").generic(
        "POST", reverse("punchout:return", args=[token]), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 303, response.status_code
    imported = OrderRequestLine.objects.filter(order_request__organization=membership.organization).count()
    assert imported == size, "the cart was not imported"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _floor(order_request_id: int) -> tuple[float, float]:
    """A bare SELECT of what the page shows, and the same plus a bare template; milliseconds."""
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
    FLOOR_TEMPLATE.render(Context({"rows": rows}))
    done = time.perf_counter()
    return (selected - started) * 1000, (done - started) * 1000


def main() -> None:
    run = uuid.uuid4().hex[:8]  # the database may hold earlier runs (PostgreSQL): names of this run are its own
    organization = OrganizationFactory(slug=f"bench-{run}", name=f"Bench {run}")
    address = DeliveryAddressFactory(organization=organization, is_default=True)
    membership = MembershipFactory(
        organization=organization, delivery_address=address, user=UserFactory(username=f"buyer-{run}")
    )
    supplier = SupplierFactory(organization=organization)
    oci_credential_set(connection=supplier.external_connection, delivery_address=None, username="u", password="p")
    LedgerAccount.objects.bulk_create(
        LedgerAccount(organization=organization, code=f"4{n:03d}", name=f"Expense account {n}") for n in range(ACCOUNTS)
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(membership.user)
    url = reverse("requisitions:cart")
    largest = settings.PUNCHOUT_MAX_LINES

    for size, runs in ((20, 200), (largest, 40)):
        _fill(membership, supplier, address, size)
        order_request_id = OrderRequest.objects.get(organization=organization).pk
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        queries = len(captured.captured_queries)  # read now: the log is cleared by the next request
        assert page.status_code == 200, page.status_code
        assert page.content.count(b'<tr data-line="') == size
        samples: list[float] = []
        selects: list[float] = []
        floors: list[float] = []
        for attempt in range(runs + WARMUP):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            select_ms, floor_ms = _floor(order_request_id)
            if attempt >= WARMUP:
                samples.append(elapsed)
                selects.append(select_ms)
                floors.append(floor_ms)
        p50 = median(samples)
        emit(
            bench="cart_page",
            database=connection.vendor,
            lines=size,
            accounts=ACCOUNTS,
            runs=runs,
            queries=queries,
            page_kb=round(len(page.content) / 1024, 1),
            p50_ms=round(p50, 2),
            p99_ms=round(percentile(samples, 99), 2),
            select_ms=round(median(selects), 2),
            floor_ms=round(median(floors), 2),
            ratio_to_floor=round(p50 / median(floors), 2),
            us_per_line=round(p50 * 1000 / size, 1),
        )


if __name__ == "__main__":
    main()
