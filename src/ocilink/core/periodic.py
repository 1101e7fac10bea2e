"""Periodic jobs: housekeeping that every worker runs beside its tasks, each at its own interval.

An app registers a job at start-up (``AppConfig.ready()``) with :func:`register_periodic_job`; the worker (in
``orders``) runs the due ones with a :class:`PeriodicRunner` between its sweeps. So the worker needs to know no app
above it, and an app needs no worker. A job must be safe to run in several workers at once and must keep each pass
short (bounded batches); a job that fails is logged and tried again at its next turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A job and how often to run it (``interval`` is read each time, so a setting changed in a test counts)."""

    name: str
    run: Callable[[], object]
    interval: Callable[[], float]


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic_job(name: str, run: Callable[[], object], *, interval: Callable[[], float]) -> None:
    """Register (or replace) the job ``name``; ``interval()`` gives the seconds between two runs."""
    _JOBS[name] = PeriodicJob(name=name, run=run, interval=interval)


def periodic_jobs() -> list[PeriodicJob]:
    return list(_JOBS.values())


class PeriodicRunner:
    """Runs each registered job when its interval has passed since its last run (the first run comes at once)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_run: dict[str, float] = {}

    def run_due(self) -> list[str]:
        """Run the jobs that are due; the names of those that ran (also when one failed: it is logged)."""
        ran: list[str] = []
        for job in periodic_jobs():
            now = self.clock()
            last = self.last_run.get(job.name)
            if last is not None and now - last < job.interval():
                continue
            self.last_run[job.name] = now
            ran.append(job.name)
            try:
                job.run()
            except Exception:  # one failing job must not stop the others, nor the worker
                logger.exception("Periodic job %s failed", job.name)
        return ran
