"""``ocilink worker``: run background tasks and the dispatch sweeper until SIGTERM or Ctrl-C."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocilink.orders.worker import SweeperThread, make_worker


class Command(BaseCommand):
    help = (
        "Run tasks (order dispatch, notices) and the sweeper. Stops gracefully on SIGTERM: the current send finishes "
        "first. Run as many as you like against one database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument("--sweep-interval", type=float, default=None, help="seconds between sweeps")

    def handle(self, *args: object, **options: object) -> None:
        try:
            worker = make_worker(interval=float(options["interval"]))  # type: ignore[arg-type]
        except ImproperlyConfigured as exc:  # the lease settings do not fit together: say which, and stop
            raise CommandError(str(exc)) from exc
        sweeper = SweeperThread(interval=options["sweep_interval"])  # type: ignore[arg-type]
        self.stdout.write(f"ocilink worker {worker.worker_id} started; Ctrl-C or SIGTERM stops it.")
        sweeper.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            sweeper.stop()
            worker.reset_signals()
            self.stdout.write("ocilink worker stopped.")
