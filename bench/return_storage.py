"""What a return to HOOK_URL costs to store, and what the retention purge costs.

* ``hook_10mb``: one 10 MB POST to a valid token (kept whole) and to a used one (only its start is read and kept):
  the view's time and its peak Python memory (tracemalloc; the request body itself is made before measuring).
* ``quota_check``: adding up an organization's stored bytes for the hour and the day with 10,000 returns that day.
* ``purge``: emptying 5,000 returns of 10 KB past their retention, in batches of 500 (each deletes its bodies from
  the storage of raw documents, then empties the rows with one UPDATE): rows per second and the longest single
  UPDATE (how long it holds its locks).
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import timedelta

from _setup import django_setup, emit, median, punchout_shop

django_setup()

from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from ocilink.core import raw_documents  # noqa: E402
from ocilink.protocols.oci import encode_cart_body  # noqa: E402
from ocilink.punchout import views  # noqa: E402
from ocilink.punchout.models import CartReturn, PunchoutSession  # noqa: E402
from ocilink.punchout.quotas import organization_quota_exceeded  # noqa: E402
from ocilink.punchout.retention import raw_purge  # noqa: E402
from ocilink.punchout.services import CART_RETURNS, punchout_start  # noqa: E402
from ocilink.punchout.tokens import new_reference  # noqa: E402
from tests.factories import MembershipFactory  # noqa: E402

TEN_MB = 10 * 1024 * 1024


def _token(membership, supplier, address) -> str:  # type: ignore[no-untyped-def]
    started = punchout_start(
        membership=membership, supplier=supplier, delivery_address=address, hook_url_for=lambda token: token
    )
    return next(value for name, value in started.fields if name == "HOOK_URL")


def _post(token: str, body: bytes) -> tuple[float, int, int]:
    """One POST through the view: milliseconds, peak traced bytes, status."""
    request = RequestFactory().generic("POST", f"/punchout/return/{token}/", body, "application/x-www-form-urlencoded")
    tracemalloc.start()
    started = time.perf_counter()
    response = views.return_(request, token)
    elapsed = (time.perf_counter() - started) * 1000
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, response.status_code


def main() -> None:
    organization, address, supplier = punchout_shop()
    membership = MembershipFactory(organization=organization, delivery_address=address)
    head = encode_cart_body([{"DESCRIPTION": "Paper", "QUANTITY": "1", "UNIT": "PCE", "PRICE": "1", "CURRENCY": "EUR"}])
    body = head + b"&X-PADDING=" + b"x" * (TEN_MB - len(head) - 11)

    for kind in ("valid", "used"):
        times, peaks = [], []
        for _ in range(3):
            token = _token(membership, supplier, address)
            if kind == "used":
                _post(token, head)
            elapsed, peak, status = _post(token, body)
            times.append(elapsed)
            peaks.append(peak)
        stored = CartReturn.objects.order_by("-pk").values_list("stored_bytes", flat=True).first()
        emit(
            bench="hook_10mb",
            token=kind,
            status=status,
            ms_median=round(median(times), 1),
            peak_mb=round(max(peaks) / (1024 * 1024), 2),
            stored_bytes=stored,
        )

    session = PunchoutSession.objects.filter(organization=organization).first()
    now = timezone.now()
    CartReturn.objects.bulk_create(
        [
            CartReturn(
                session=session,
                reference=new_reference(),
                received_at=now - timedelta(minutes=n % 1400),
                http_method="POST",
                body="",
                stored_bytes=10_000,
            )
            for n in range(10_000)
        ],
        batch_size=1000,
    )
    times = []
    for _ in range(20):
        started = time.perf_counter()
        organization_quota_exceeded(organization_id=organization.pk, adding=1, now=now)
        times.append((time.perf_counter() - started) * 1000)
    emit(bench="quota_check", returns_that_day=10_000, ms_median=round(median(times), 2))

    old = now - timedelta(days=400)
    references = [new_reference() for _ in range(5_000)]
    CartReturn.objects.bulk_create(
        [
            CartReturn(
                session=session,
                reference=reference,
                received_at=old,
                http_method="POST",
                body=raw_documents.save(raw_documents.new_name(CART_RETURNS, reference, at=old), b"y" * 10_000),
                stored_bytes=10_000,
            )
            for reference in references
        ],
        batch_size=500,
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = raw_purge()
        elapsed = time.perf_counter() - started
    updates = [float(q["time"]) * 1000 for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    emit(
        bench="purge",
        rows=report.returns,
        seconds=round(elapsed, 2),
        rows_per_second=round(report.returns / elapsed),
        batches=len(updates),
        longest_batch_ms=round(max(updates), 1),
    )


if __name__ == "__main__":
    main()
