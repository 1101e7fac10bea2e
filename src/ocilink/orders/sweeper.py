"""The sweeper: hands dispatches of dead workers to another, and re-wakes dispatches whose task went missing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from .dispatches import dispatch_enqueue
from .models import Dispatch, DispatchAttempt
from .states import SENDABLE, AttemptOutcome, DispatchStatus

logger = logging.getLogger(__name__)

# A due dispatch whose task has not run within this grace period is woken again.
MISSING_TASK_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class SweepReport:
    reclaimed: int
    rewoken: int


def sweep() -> SweepReport:
    """One pass; safe to run in every worker at once (rows are locked; a doubled task only finds nothing to do)."""
    now = timezone.now()
    reclaimed = 0
    for dispatch_id in Dispatch.objects.filter(status=DispatchStatus.SENDING, lease_expires_at__lt=now).values_list(
        "pk", flat=True
    )[:500]:
        with transaction.atomic():
            dispatch = (
                Dispatch.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=dispatch_id, status=DispatchStatus.SENDING, lease_expires_at__lt=now)
                .first()
            )
            if dispatch is None:
                continue
            DispatchAttempt.objects.filter(dispatch=dispatch, outcome=AttemptOutcome.SENDING).update(
                outcome=AttemptOutcome.CRASHED,
                finished_at=now,
                message=_("The worker stopped during this try (its lease expired); another worker takes over."),
            )
            dispatch.status = DispatchStatus.RETRY_WAIT
            dispatch.next_attempt_at = now
            dispatch.lease_expires_at = None
            dispatch.save(update_fields=["status", "next_attempt_at", "lease_expires_at"])
            transaction.on_commit(partial(dispatch_enqueue, dispatch_id=dispatch.pk))
            reclaimed += 1
            logger.warning("Dispatch %s: worker %s died while sending; handed over", dispatch.pk, dispatch.worker_id)

    rewoken = 0
    due = Dispatch.objects.filter(status__in=SENDABLE, next_attempt_at__lt=now - MISSING_TASK_GRACE)
    for dispatch in due.only("pk", "task_id")[:500]:
        alive = (
            bool(dispatch.task_id)
            and DBTaskResult.objects.filter(pk=dispatch.task_id, status__in=["READY", "RUNNING"]).exists()
        )
        if not alive:
            dispatch_enqueue(dispatch_id=dispatch.pk)
            rewoken += 1
    return SweepReport(reclaimed=reclaimed, rewoken=rewoken)
