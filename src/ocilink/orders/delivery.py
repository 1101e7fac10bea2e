"""The sending bookkeeping that dispatches and notices share: waking a worker, taking a row for one try, knowing
whether the try still counts, and what a try's end does to the row (sent, a retry later, or failed).

Both are a :class:`~ocilink.orders.models.Delivery` with the same status words for these steps (``sending``,
``retry_wait``, ``sent``, ``failed``). Each module keeps what is its own: what is sent, what a failure means for
the purchase order and who is told (``dispatches.py``, ``notifications.py``). Every function here works on a row
the caller has locked, inside the caller's transaction, except :func:`delivery_wake`, which makes its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .backoff import retry_delay_seconds
from .leases import lease_until
from .models import Dispatch, Notice

SENDING = "sending"
RETRY_WAIT = "retry_wait"
SENT = "sent"
FAILED = "failed"

Row = TypeVar("Row", Dispatch, Notice)


def delivery_wake(model: type[Row], task: Any, pk: int, run_after: datetime | None = None) -> None:
    """Enqueue ``task`` for row ``pk`` (now, or at ``run_after``) and note on the row which task and when, in one
    commit: the sweeper wakes a due row again when that is longer ago than the lease (a task can be lost, or its
    worker die before the claim)."""
    runner = task.using(run_after=run_after) if run_after is not None else task
    with transaction.atomic():
        result = runner.enqueue(pk)
        model.objects.filter(pk=pk).update(task_id=str(result.id), woken_at=run_after or timezone.now())


def delivery_claim(
    rows: QuerySet[Row], pk: int, *, sendable: tuple[str, ...], worker_id: str, ensure: Callable[[str, str], None]
) -> Row | None:
    """Lock and take row ``pk`` for one try, only if it is sendable and due (a row another worker holds is skipped,
    not waited for): ``sending``, one more try, a lease, this worker's name. Call inside a transaction."""
    row = (
        rows.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk, status__in=sendable, next_attempt_at__lte=timezone.now() + timedelta(seconds=1))
        .first()
    )
    if row is None:
        return None
    ensure(row.status, SENDING)
    row.status = SENDING
    row.attempt_count += 1
    row.lease_expires_at = lease_until()
    row.worker_id = worker_id[:64]
    row.save(update_fields=["status", "attempt_count", "lease_expires_at", "worker_id"])
    return row


def delivery_still_ours(model: type[Row], pk: int, attempt: int) -> QuerySet[Row]:
    """The row while try ``attempt`` is its current one: what a heartbeat renews, and what a late try's record finds
    gone once the lease ran out and the row moved on."""
    return model.objects.filter(pk=pk, status=SENDING, attempt_count=attempt)


def delivery_is_current(row: Row, attempt: int) -> bool:
    """Whether try ``attempt`` still decides for the (locked) row."""
    return row.status == SENDING and row.attempt_count == attempt


def delivery_mark_sent(row: Row) -> None:
    """The try delivered: sent, whatever its lease did meanwhile (delivered is delivered)."""
    row.status = SENT
    row.sent_at = timezone.now()
    row.lease_expires_at = None
    row.last_error = ""
    row.save(update_fields=["status", "sent_at", "lease_expires_at", "last_error"])


def delivery_retry_later(
    row: Row,
    *,
    message: str,
    permanent: bool,
    ensure: Callable[[str, str], None],
    wake: Callable[[int, datetime], None],
) -> bool:
    """After the current try of a (locked) row failed: when it may be tried again (not permanent, and the backoff's
    next time within the row's window), wait for that, wake a worker then, and say True. Otherwise say False and
    change nothing but the lease and the error: the caller fails the row (:func:`delivery_fail`) its own way."""
    next_at = timezone.now() + timedelta(seconds=retry_delay_seconds(row.attempt_count))
    row.lease_expires_at = None
    row.last_error = message
    if permanent or next_at > row.give_up_at:
        return False
    ensure(row.status, RETRY_WAIT)
    row.status = RETRY_WAIT
    row.next_attempt_at = next_at
    row.save(update_fields=["status", "next_attempt_at", "lease_expires_at", "last_error"])
    wake(row.pk, next_at)  # in the caller's transaction: no retry without a task
    return True


def delivery_fail(row: Row, *, message: str, ensure: Callable[[str, str], None]) -> None:
    """No more tries: failed, with the reason a person reads."""
    ensure(row.status, FAILED)
    row.status = FAILED
    row.lease_expires_at = None
    row.last_error = message
    row.save(update_fields=["status", "lease_expires_at", "last_error"])
