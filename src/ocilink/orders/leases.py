"""Leases: how long a worker holds a dispatch (or a notice) while it sends, and the heartbeat that renews them.

A claim sets ``lease_expires_at`` to now + ``DISPATCH_LEASE_SECONDS``. While the send is alive a heartbeat thread
pushes it forward every ``DISPATCH_HEARTBEAT_SECONDS``, as long as the row is still this worker's; when the send
ends the heartbeat stops. A worker that dies stops beating, its lease runs out, and the sweeper hands the row to
another worker: within lease + ``DISPATCH_SWEEP_SECONDS`` (under a minute with the defaults).

:func:`check_timing` refuses, at a worker's start, settings with which a live send could lose its lease: a
heartbeat slower than half the lease, or a transport timeout at or above it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


def lease_until() -> datetime:
    """When a lease taken or renewed now runs out."""
    return timezone.now() + timedelta(seconds=settings.DISPATCH_LEASE_SECONDS)


class LeaseHeartbeat:
    """Renews the lease of the row(s) ``still_ours`` selects, every ``interval`` seconds, until the block ends.

    ``still_ours`` must select the row only while it is this worker's (e.g. ``status=sending`` and this try's
    number): once another worker took it over, a beat changes nothing and the heartbeat stops. A database error
    skips one beat; the next one tries again. The thread uses its own database connection and closes it.
    """

    def __init__(self, still_ours: QuerySet[Any], *, what: str, interval: float | None = None) -> None:
        self.still_ours = still_ours
        self.what = what
        self.interval = float(interval if interval is not None else settings.DISPATCH_HEARTBEAT_SECONDS)
        self.beats = 0
        self.lost = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"ocilink-heartbeat-{what}", daemon=True)

    def __enter__(self) -> LeaseHeartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stopped.set()
        # A beat in progress finishes first (a beat is one short UPDATE); it cannot outlive the block by much.
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.interval):
                try:
                    renewed = self.still_ours.update(lease_expires_at=lease_until())
                except DatabaseError:
                    logger.warning(
                        "Heartbeat of %s: the lease could not be renewed this time", self.what, exc_info=True
                    )
                    continue
                if not renewed:
                    self.lost = True
                    logger.warning("Heartbeat of %s: no longer ours (taken over or finished); stopping", self.what)
                    return
                self.beats += 1
        finally:
            connection.close()


def transport_timeouts() -> dict[str, float]:
    """Every transport timeout the settings fix, by name: the platform's mail server (``EMAIL_TIMEOUT``, also used
    for purchase orders by e-mail) and any ``DISPATCH_…TIMEOUT…`` setting.

    A connection's own timeout (cXML over HTTPS or SFTP, 30 s unless its settings say otherwise) is the connection's
    business: when it is longer than the lease, its sends rely on the heartbeat alone.
    """
    found: dict[str, float] = {"EMAIL_TIMEOUT": float(settings.EMAIL_TIMEOUT)}
    for name in dir(settings):
        if name.startswith("DISPATCH_") and "TIMEOUT" in name:
            value = getattr(settings, name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                found[name] = float(value)
    return found


def check_timing() -> None:
    """Refuse to start with lease settings that let a live send be taken over, or a dead one never be."""
    lease = settings.DISPATCH_LEASE_SECONDS
    heartbeat = settings.DISPATCH_HEARTBEAT_SECONDS
    sweep = settings.DISPATCH_SWEEP_SECONDS
    problems = []
    if lease <= 0 or heartbeat <= 0 or sweep <= 0:
        problems.append(
            f"DISPATCH_LEASE_SECONDS ({lease}), DISPATCH_HEARTBEAT_SECONDS ({heartbeat}) and DISPATCH_SWEEP_SECONDS "
            f"({sweep}) must each be above 0."
        )
    elif heartbeat >= lease / 2:
        problems.append(
            f"DISPATCH_HEARTBEAT_SECONDS ({heartbeat}) must be below half of DISPATCH_LEASE_SECONDS ({lease}), so that "
            "a lease survives one missed beat. Lower the heartbeat or raise the lease."
        )
    for name, timeout in transport_timeouts().items():
        if timeout >= lease:
            problems.append(
                f"{name} ({timeout:g} s) must be below DISPATCH_LEASE_SECONDS ({lease}): a send waiting that long "
                "could otherwise outlive its lease. Lower the timeout or raise the lease."
            )
    if problems:
        raise ImproperlyConfigured("Dispatch timing: " + " ".join(problems))
