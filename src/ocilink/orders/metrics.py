"""The figures of the order dispatch for ``/metrics`` and ``/readyz`` (registered in ``OrdersConfig.ready``).

They are read from the database at each scrape, so every web process reports the same numbers for the whole
installation (the workers that send may run on other machines): aggregate them with ``max``, not ``sum``.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from ocilink.core.health import CheckResult
from ocilink.core.metrics import Family, labelled

from .models import Dispatch, DispatchAttempt
from .states import SENDABLE, AttemptOutcome, DispatchStatus

# Dispatches not (yet) done: waiting, being sent, waiting to retry, held or failed (a person must act).
OPEN = (
    DispatchStatus.PENDING,
    DispatchStatus.SENDING,
    DispatchStatus.RETRY_WAIT,
    DispatchStatus.HELD,
    DispatchStatus.FAILED,
)


def oldest_waiting_seconds() -> float:
    """How long the longest-waiting dispatch has been due without a worker taking it (0 when none waits)."""
    now = timezone.now()
    due = Dispatch.objects.filter(status__in=SENDABLE, next_attempt_at__lte=now).aggregate(m=Min("next_attempt_at"))
    oldest = due["m"]
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def dispatch_figures() -> list[Family]:
    depth = dict(Dispatch.objects.filter(status__in=OPEN).order_by().values_list("status").annotate(n=Count("id")))
    attempts = dict(DispatchAttempt.objects.order_by().values_list("outcome").annotate(n=Count("id")))
    return [
        Family(
            "ocilink_dispatch_queue_depth",
            "Purchase orders not yet delivered, by dispatch status.",
            "gauge",
            ["status"],
            labelled(depth, every=[str(status) for status in OPEN]),
        ),
        Family(
            "ocilink_dispatch_oldest_waiting_seconds",
            "How long the longest-waiting purchase order has been due without a worker taking it.",
            "gauge",
            [],
            [((), oldest_waiting_seconds())],
        ),
        Family(
            "ocilink_dispatch_attempts",
            "Tries to deliver a purchase order, by outcome (rows in the database).",
            "counter",
            ["outcome"],
            labelled(attempts, every=[str(outcome) for outcome in AttemptOutcome]),
        ),
    ]


def dispatch_queue_check() -> CheckResult:
    """Ready while no purchase order has waited ``READY_MAX_DISPATCH_WAIT_SECONDS`` for a worker (0: not checked)."""
    waited = round(oldest_waiting_seconds())
    limit = settings.READY_MAX_DISPATCH_WAIT_SECONDS
    if not limit:
        return CheckResult(True, {"oldest_waiting_seconds": waited, "limit_seconds": "off"})
    return CheckResult(waited < limit, {"oldest_waiting_seconds": waited, "limit_seconds": limit})
