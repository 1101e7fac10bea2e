"""Storage quotas for raw cart returns: how much one organization, one self-test client, and all self-tests together
may have stored over a rolling hour and day (the settings ``PUNCHOUT_ORG_MAX_BYTES_PER_*`` and
``SELFTEST_MAX_BYTES_PER_*``).

A quota counts the bytes actually kept (``CartReturn.stored_bytes``): the whole body of a valid return, the start
of any other. A return that would pass a quota keeps only its start and is refused, so a full quota costs the
platform a few kilobytes per return and no more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import Q, Sum

from .models import CartReturn
from .states import SessionPurpose

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class QuotaExceeded:
    """Which limit a return (or a new self-test) would pass: ``scope`` is ``organization``, ``client`` or ``all``
    (all self-tests), ``window`` is ``hour`` or ``day``, ``limit`` in bytes."""

    scope: str
    window: str
    limit: int


def stored_bytes(*, since: datetime, where: Q) -> int:
    """The bytes of raw returns kept since ``since`` for the returns matching ``where``."""
    total = CartReturn.objects.filter(where, received_at__gte=since).aggregate(total=Sum("stored_bytes"))["total"]
    return int(total or 0)


def organization_quota_exceeded(*, organization_id: int, adding: int, now: datetime) -> QuotaExceeded | None:
    """Whether keeping ``adding`` more bytes for this organization passes its hourly or daily limit."""
    hour, day = _organization_totals(organization_id=organization_id, now=now)
    for window, total, limit in (
        ("hour", hour, settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR),
        ("day", day, settings.PUNCHOUT_ORG_MAX_BYTES_PER_DAY),
    ):
        if total + adding > limit:
            return QuotaExceeded(scope="organization", window=window, limit=limit)
    return None


def _organization_totals(*, organization_id: int, now: datetime) -> tuple[int, int]:
    """The bytes an organization's returns keep of the last hour and of the last day: one statement over the index
    (organization, received_at, stored_bytes).

    It runs in every valid return, with the organization's row locked until the commit, so it is written as SQL once
    rather than compiled by the ORM each time (a tenth of the time: the lock is held that much shorter)."""
    connection = connections[CartReturn.objects.db]
    ops = connection.ops
    sql = _TOTALS_SQL.get(connection.vendor)
    if sql is None:
        sql = _TOTALS_SQL[connection.vendor] = _organization_totals_sql(ops.quote_name)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [ops.adapt_datetimefield_value(now - HOUR), organization_id, ops.adapt_datetimefield_value(now - DAY)],
        )
        hour, day = cursor.fetchone()
    return int(hour or 0), int(day or 0)


# The statement of ``_organization_totals`` per database vendor, made on first use.
_TOTALS_SQL: dict[str, str] = {}


def _organization_totals_sql(quote: Callable[[str], str]) -> str:
    columns = {field.name: quote(field.column) for field in CartReturn._meta.concrete_fields}
    stored, received = columns["stored_bytes"], columns["received_at"]
    return (
        f"SELECT SUM(CASE WHEN {received} >= %s THEN {stored} ELSE 0 END), SUM({stored}) "
        f"FROM {quote(CartReturn._meta.db_table)} WHERE {columns['organization']} = %s AND {received} >= %s"
    )


def selftest_quota_exceeded(*, client_hash: str, adding: int, now: datetime) -> QuotaExceeded | None:
    """Whether keeping ``adding`` more bytes of self-test returns passes the daily limit of this client (its keyed
    hash; none for a self-test made without an address) or of all self-tests together."""
    # A self-test is the only session without an organization: "organization IS NULL" reads an index range.
    selftests = Q(organization__isnull=True)
    checks: list[tuple[str, Q, int]] = []
    if client_hash:
        client = Q(session__purpose=SessionPurpose.SUPPLIER_SELFTEST, session__client_hash=client_hash)
        checks.append(("client", client, settings.SELFTEST_MAX_BYTES_PER_CLIENT_PER_DAY))
    checks.append(("all", selftests, settings.SELFTEST_MAX_BYTES_PER_DAY))
    for scope, where, limit in checks:
        if stored_bytes(since=now - DAY, where=where) + adding > limit:
            return QuotaExceeded(scope=scope, window="day", limit=limit)
    return None
