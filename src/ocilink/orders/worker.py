"""The worker: runs tasks (django-tasks-db) and, beside them, the sweeper. Several may run at once, on one host or
many, against one database: claims lock their row, so each try of an order belongs to one worker at a time."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from ocilink.core.periodic import PeriodicRunner

from .leases import check_timing
from .sweeper import sweep

logger = logging.getLogger(__name__)


class SweeperThread(threading.Thread):
    """Runs :func:`sweep` every ``DISPATCH_SWEEP_SECONDS`` until stopped, and the periodic jobs the apps registered
    (``core.periodic``) when they are due."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="ocilink-sweeper", daemon=True)
        self.interval = interval if interval is not None else settings.DISPATCH_SWEEP_SECONDS
        self.stopped = threading.Event()
        self.periodic = PeriodicRunner()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    close_old_connections()
                    report = sweep()
                    if report:
                        logger.info(
                            "Sweeper: %s orders handed over, %s woken again; notices: %s handed over, %s woken again",
                            report.reclaimed,
                            report.rewoken,
                            report.notices_reclaimed,
                            report.notices_rewoken,
                        )
                except Exception:  # the sweeper must outlive a passing database error
                    logger.exception("Sweeper pass failed")
                self.periodic.run_due()
                self.stopped.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"[:64]


def make_worker(*, interval: float = 0.5, max_tasks: int | None = None) -> Worker:
    """A task worker; refuses to be made with lease settings that could send an order twice at once."""
    check_timing()
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )


class WorkerThread(threading.Thread):
    """A worker with its sweeper in a background thread, for ``ocilink demo`` (no signal handling there)."""

    def __init__(self, *, interval: float = 0.5) -> None:
        super().__init__(name="ocilink-worker", daemon=True)
        self.worker = make_worker(interval=interval)
        self.sweeper = SweeperThread()

    def run(self) -> None:
        self.sweeper.start()
        try:
            self.worker.run()
        finally:
            connection.close()

    def stop(self) -> None:
        self.worker.running = False
        self.sweeper.stop()
        self.join(timeout=10)
