"""Retention of raw cart returns: after ``PUNCHOUT_RAW_RETENTION_DAYS`` (a buyer's punchout) or
``PUNCHOUT_TRIAL_RETENTION_DAYS`` (a trial) the raw body of a return is deleted from the storage of raw documents
and its request headers are emptied.

What a person needs later stays: the reference, when it arrived, its size, outcome, line count, errors, warnings and
a trial's check report; the return says when it was purged (``purged_at``). An old trial also loses its sealed
test account and token (it can no longer be started anyway). Every worker runs :func:`raw_purge` now and then
(``PUNCHOUT_PURGE_INTERVAL_SECONDS``, registered in ``apps.py``); ``ocilink purge_raw`` runs it by hand.

Each batch deletes the bodies of at most ``PURGE_BATCH`` returns and then empties their rows with one short UPDATE,
so a purge never holds long locks; two workers purging at once may both delete a body (harmless) but update each
row once (the UPDATE re-checks ``purged_at IS NULL``), and a second run finds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from ocilink.core import raw_documents

from .models import CartReturn, PunchoutSession
from .states import SessionPurpose

logger = logging.getLogger(__name__)

# Rows per UPDATE: small enough that one batch of 10 MB bodies is a short write, large enough to catch up quickly.
PURGE_BATCH = 500
# A worker's pass stops after this many batches and goes on at its next turn, so its sweeper is never held up long.
WORKER_MAX_BATCHES = 20


@dataclass(frozen=True)
class PurgeReport:
    """How many returns had their raw body emptied, and how many trials their sealed account and token."""

    returns: int
    trials: int


def _due_returns(*, now: datetime) -> QuerySet[CartReturn]:
    order_cutoff = now - timedelta(days=settings.PUNCHOUT_RAW_RETENTION_DAYS)
    trial_cutoff = now - timedelta(days=settings.PUNCHOUT_TRIAL_RETENTION_DAYS)
    return CartReturn.objects.filter(purged_at__isnull=True).filter(
        Q(session__purpose=SessionPurpose.ORDER, received_at__lt=order_cutoff)
        | (~Q(session__purpose=SessionPurpose.ORDER) & Q(received_at__lt=trial_cutoff))
    )


def _due_trials(*, now: datetime) -> QuerySet[PunchoutSession]:
    trial_cutoff = now - timedelta(days=settings.PUNCHOUT_TRIAL_RETENTION_DAYS)
    sealed = ~Q(token_encrypted="") | ~Q(username_encrypted="") | ~Q(password_encrypted="")
    return PunchoutSession.objects.trials().filter(sealed, expires_at__lt=trial_cutoff)


def raw_purge(
    *, now: datetime | None = None, batch_size: int = PURGE_BATCH, max_batches: int | None = None
) -> PurgeReport:
    """Empty the raw bodies (and headers) of the returns past their retention, and the sealed account and token of
    the trials past theirs, ``batch_size`` rows per UPDATE; at most ``max_batches`` of each (``None``: until done).
    """
    now = now or timezone.now()
    returns = _purge_batches(
        lambda: list(_due_returns(now=now).order_by("received_at").values_list("pk", "body")[:batch_size]),
        lambda rows: _purge_returns(rows, now=now),
        batch_size=batch_size,
        max_batches=max_batches,
    )
    trials = _purge_batches(
        lambda: list(_due_trials(now=now).order_by("expires_at").values_list("pk", flat=True)[:batch_size]),
        lambda ids: PunchoutSession.objects.filter(pk__in=ids).update(
            token_encrypted="", username_encrypted="", password_encrypted=""
        ),
        batch_size=batch_size,
        max_batches=max_batches,
    )
    if returns or trials:
        logger.info("Retention: emptied %s raw cart returns and %s trials' sealed accounts", returns, trials)
    return PurgeReport(returns=returns, trials=trials)


def _purge_returns(rows: list[tuple[int, str]], *, now: datetime) -> int:
    """Delete the stored bodies of these returns, then empty their rows. In this order: should the UPDATE fail, the
    rows still name their (now missing) bodies and the next run purges them again; deleting twice is harmless."""
    for _pk, name in rows:
        raw_documents.delete(name)
    return CartReturn.objects.filter(pk__in=[pk for pk, _name in rows], purged_at__isnull=True).update(
        body="", stored_bytes=0, headers={}, purged_at=now
    )


def _purge_batches(
    select: Callable[[], list[Any]],
    update: Callable[[list[Any]], int],
    *,
    batch_size: int,
    max_batches: int | None,
) -> int:
    """Select a batch of ids and update them, until a batch comes back short or ``max_batches`` were done."""
    done = batches = 0
    while max_batches is None or batches < max_batches:
        ids = select()
        if not ids:
            break
        done += update(ids)
        batches += 1
        if len(ids) < batch_size:
            break
    return done


def raw_purge_periodic() -> PurgeReport:
    """The worker's turn: a bounded pass (the rest follows at its next turn)."""
    return raw_purge(max_batches=WORKER_MAX_BATCHES)
