"""The sweeper: hands dispatches and notices of dead workers to another, and wakes those nobody is working on.

It judges by the rows alone, never by the task queue's word (a task the queue calls running may belong to a worker
that died before it claimed anything):

- a row being sent whose lease ran out (its worker stopped beating) goes back to "retry now";
- a sendable row that is due and was not woken for longer than the lease is woken again with a new task.

Safe to run in every worker at once: rows are locked or changed with a compare-and-set, and a task that finds its
row already taken or not due does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .dispatches import dispatch_enqueue
from .models import Dispatch, DispatchAttempt, Notice
from .notifications import notice_enqueue
from .states import NOTICE_SENDABLE, SENDABLE, AttemptOutcome, DispatchStatus, NoticeStatus

logger = logging.getLogger(__name__)

# At most this many rows of each kind per pass; the next pass takes the rest.
BATCH = 500


@dataclass(frozen=True)
class SweepReport:
    reclaimed: int  # dispatches whose worker died while sending
    rewoken: int  # due dispatches nobody was working on
    notices_reclaimed: int = 0
    notices_rewoken: int = 0

    def __bool__(self) -> bool:
        return any((self.reclaimed, self.rewoken, self.notices_reclaimed, self.notices_rewoken))


def sweep() -> SweepReport:
    """One pass over dispatches and notices."""
    now = timezone.now()
    dispatches = _Kind(
        Dispatch, DispatchStatus.SENDING, DispatchStatus.RETRY_WAIT, SENDABLE, dispatch_enqueue, "dispatch_id"
    )
    notices = _Kind(Notice, NoticeStatus.SENDING, NoticeStatus.RETRY_WAIT, NOTICE_SENDABLE, notice_enqueue, "notice_id")
    return SweepReport(
        reclaimed=_reclaim(dispatches, now, on_crash=_dispatch_crashed),
        rewoken=_rewake(dispatches, now),
        notices_reclaimed=_reclaim(notices, now),
        notices_rewoken=_rewake(notices, now),
    )


@dataclass(frozen=True)
class _Kind:
    """What the sweeper needs to know of a kind of row: its model, its states, and how to wake a worker for it."""

    model: type[models.Model]
    sending: str
    retry: str
    sendable: tuple[str, ...]
    enqueue: Callable[..., None]
    key: str  # the enqueue function's keyword for the row's id

    @property
    def rows(self) -> Any:
        return self.model._default_manager

    def wake(self, pk: int) -> None:
        self.enqueue(**{self.key: pk})


def _dispatch_crashed(dispatch: Any, now: datetime) -> None:
    DispatchAttempt.objects.filter(dispatch=dispatch, outcome=AttemptOutcome.SENDING).update(
        outcome=AttemptOutcome.CRASHED,
        finished_at=now,
        message=_("The worker stopped during this try (its lease expired); another worker takes over."),
    )
    logger.warning("Dispatch %s: worker %s died while sending; handed over", dispatch.pk, dispatch.worker_id)


def _reclaim(kind: _Kind, now: datetime, *, on_crash: Callable[[Any, datetime], None] | None = None) -> int:
    """Rows whose lease ran out while being sent: their worker died (or lost the database); try again now."""
    reclaimed = 0
    for pk in kind.rows.filter(status=kind.sending, lease_expires_at__lt=now).values_list("pk", flat=True)[:BATCH]:
        with transaction.atomic():
            row = (
                kind.rows.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, status=kind.sending, lease_expires_at__lt=now)
                .first()
            )
            if row is None:
                continue
            if on_crash is not None:
                on_crash(row, now)
            else:
                logger.warning(
                    "%s %s: worker %s died while sending; handed over", kind.model.__name__, pk, row.worker_id
                )
            row.status = kind.retry
            row.next_attempt_at = now
            row.lease_expires_at = None
            row.save(update_fields=["status", "next_attempt_at", "lease_expires_at"])
            kind.wake(pk)  # in this transaction: handed over and woken together
            reclaimed += 1
    return reclaimed


def _rewake(kind: _Kind, now: datetime) -> int:
    """Sendable rows that were due, and not woken, for longer than the lease: wake them, whatever their task says.

    The wake is a compare-and-set on ``woken_at``, so of several sweepers at once only one enqueues a task.
    """
    stale = now - timedelta(seconds=settings.DISPATCH_LEASE_SECONDS)
    candidates = kind.rows.filter(status__in=kind.sendable, next_attempt_at__lt=stale).filter(
        Q(woken_at__isnull=True) | Q(woken_at__lt=stale)
    )
    rewoken = 0
    for pk, woken_at in candidates.values_list("pk", "woken_at")[:BATCH]:
        with transaction.atomic():
            unchanged = Q(woken_at__isnull=True) if woken_at is None else Q(woken_at=woken_at)
            if not kind.rows.filter(unchanged, pk=pk, status__in=kind.sendable).update(woken_at=now):
                continue  # another sweeper woke it, or a worker took it, meanwhile
            kind.wake(pk)
        rewoken += 1
        logger.info("%s %s: due and not picked up; woken again", kind.model.__name__, pk)
    return rewoken
