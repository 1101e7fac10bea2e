"""Cart ingest: POST carts of 10, 100, 500 and 2,000 lines to the punchout return view (HOOK_URL).

Each POST gets a fresh punchout session (tokens are single use); the time covers the whole view: reading the
body, writing it to the storage of raw documents (a file, synced to disk), parsing, and one transaction that records
the return, claims the token and inserts the lines into the cart. ``parse_ms`` is the codec alone on the same body,
``write_ms`` the storage alone writing it (the default file storage, as the view uses it). On PostgreSQL,
``floor_ms`` is the floor in the same run: parsing the same body and COPYing its rows straight into the lines' table
(one COPY, committed), with nothing else. Targets (2-core machine): 500 lines p99 <= 250 ms (on PostgreSQL <= 150
ms, and p50 at most twice the floor); per-line time at 2,000 lines at most 1.5x that at 500.

The process runs the view as ``ocilink serve`` does: what was loaded before the first request is frozen out of the
garbage collector's full collections (``core.servers.freeze_loaded``); without that, the request that triggers a
full collection waited about 120 ms for it, which was the p99 at 500 lines.
"""

from __future__ import annotations

import json
import time
import uuid

from _setup import django_setup, emit, median, percentile, punchout_shop

django_setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from ocilink.core import raw_documents  # noqa: E402
from ocilink.core.servers import freeze_loaded  # noqa: E402
from ocilink.protocols.oci import encode_cart_body, parse_cart  # noqa: E402
from ocilink.punchout.services import punchout_start  # noqa: E402
from ocilink.requisitions.models import OrderRequest, OrderRequestLine  # noqa: E402
from tests.factories import (  # noqa: E402
    MembershipFactory,
    UserFactory,
)

RUNS = {10: 60, 100: 60, 500: 40, 2000: 15}
WARMUP = 3


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


def _new_hook_path(membership, supplier, address) -> str:  # type: ignore[no-untyped-def]
    """A fresh punchout session (tokens are single use); its HOOK_URL path."""
    started = punchout_start(
        membership=membership, supplier=supplier, delivery_address=address, hook_url_for=lambda token: token
    )
    token = next(value for name, value in started.fields if name == "HOOK_URL")
    return reverse("punchout:return", args=[token])


# The lines' columns in the order the floor's COPY writes them.
FLOOR_COLUMNS = (
    "order_request_id, position, supplier_id, connection_id, oci_index, description, quantity, unit, unit_price, "
    "price_unit, currency, vendormat, manufactmat, matgroup, leadtime_days, longtext, oci_fields, oci_extra, "
    "warnings, ledger_code"
)


def _floor(body: bytes, content_type: str, order_request: OrderRequest, supplier_id: int) -> float:
    """Parse the body and COPY its rows into the lines' table, committed: milliseconds. The rows are removed after."""
    started = time.perf_counter()
    cart = parse_cart(body, content_type)
    with transaction.atomic(), connection.cursor() as cursor:
        table = OrderRequestLine._meta.db_table
        with cursor.copy(f"COPY {table} ({FLOOR_COLUMNS}) FROM STDIN") as copy:
            for position, line in enumerate(cart.lines, start=1):
                copy.write_row(
                    (
                        order_request.pk,
                        position,
                        supplier_id,
                        None,
                        line.index,
                        line.description or "",
                        line.quantity,
                        line.unit or "",
                        line.unit_price,
                        line.price_unit,
                        line.currency or "",
                        line.vendormat or "",
                        line.manufactmat or "",
                        line.matgroup or "",
                        line.leadtime_days,
                        line.longtext or "",
                        json.dumps(dict(line.fields)),
                        json.dumps(dict(line.extra)),
                        "[]",
                        "",
                    )
                )
    elapsed = (time.perf_counter() - started) * 1000
    assert OrderRequestLine.objects.filter(order_request=order_request).count() == len(cart.lines)
    OrderRequestLine.objects.filter(order_request=order_request).delete()
    return elapsed


def main() -> None:
    run = uuid.uuid4().hex[:8]  # the database may hold earlier runs (PostgreSQL): names of this run are its own
    organization, address, supplier = punchout_shop(slug=f"bench-{run}", name=f"Bench {run}")
    membership = MembershipFactory(
        organization=organization, delivery_address=address, user=UserFactory(username=f"buyer-{run}")
    )
    client = Client(HTTP_HOST="127.0.0.1")
    content_type = "application/x-www-form-urlencoded"
    on_postgresql = connection.vendor == "postgresql"
    freeze_loaded()

    for size, runs in RUNS.items():
        body = encode_cart_body([_line(n) for n in range(1, size + 1)])
        samples: list[float] = []
        parse_samples: list[float] = []
        floor_samples: list[float] = []
        write_samples: list[float] = []
        for attempt in range(runs + WARMUP):
            path = _new_hook_path(membership, supplier, address)
            started = time.perf_counter()
            response = client.generic("POST", path, body, content_type=content_type)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 303, response.status_code
            assert OrderRequestLine.objects.filter(order_request__organization=organization).count() == size
            OrderRequest.objects.filter(organization=organization).delete()  # keep the cart from growing
            started = time.perf_counter()
            parse_cart(body, content_type)
            parse_elapsed = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            written = raw_documents.save(raw_documents.new_name("bench", "write"), body)
            write_samples.append((time.perf_counter() - started) * 1000)
            raw_documents.delete(written)
            floor_elapsed = 0.0
            if on_postgresql:
                holder = OrderRequest.objects.create(organization=organization, requester=membership.user)
                floor_elapsed = _floor(body, content_type, holder, supplier.pk)
                holder.delete()
            if attempt >= WARMUP:
                samples.append(elapsed)
                parse_samples.append(parse_elapsed)
                floor_samples.append(floor_elapsed)
        p50 = median(samples)
        parse_ms = median(parse_samples)
        figures: dict[str, object] = {}
        if on_postgresql:
            floor_ms = median(floor_samples)
            figures = {
                "floor_ms": round(floor_ms, 2),
                "floor_p99_ms": round(percentile(floor_samples, 99), 2),
                "ratio_to_floor": round(p50 / floor_ms, 2),
            }
        emit(
            bench="cart_ingest",
            database=connection.vendor,
            lines=size,
            runs=runs,
            body_kb=round(len(body) / 1024, 1),
            p50_ms=round(p50, 2),
            p99_ms=round(percentile(samples, 99), 2),
            parse_ms=round(parse_ms, 2),
            ratio_to_parse=round(p50 / parse_ms, 2),
            write_ms=round(median(write_samples), 2),
            **figures,
            us_per_line=round(p50 * 1000 / size, 1),
        )


if __name__ == "__main__":
    main()
