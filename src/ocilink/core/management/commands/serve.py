"""``ocilink serve``: serve the platform from several worker processes (gunicorn), behind a TLS proxy.

``--workers`` processes, each with ``--threads`` threads. Without ``--workers`` the count follows the rule in
:data:`ocilink.core.servers.WORKER_RULE` (docs/deploy.md says how it was measured). SIGTERM stops gracefully: no new
connections, requests under way finish (``--graceful-timeout``), exit 0.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from ocilink.core.servers import WORKER_RULE, WebServer, default_workers, freeze_loaded

DEFAULT_THREADS = 4


def prepare_metrics_dir() -> str | None:
    """Give the worker processes one directory for their request figures (prometheus-client's multi-process
    mode), so that ``/metrics`` of any process adds up all of them. A directory the operator set is emptied of an
    earlier run's files; otherwise a fresh one is made, and its path is returned to be removed at the end."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return None
    made = tempfile.mkdtemp(prefix="ocilink-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


class Command(BaseCommand):
    help = (
        "Serve the platform from several worker processes until SIGTERM (graceful) or Ctrl-C. "
        "Run `ocilink worker` beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (0: any free port)")
        parser.add_argument("--workers", type=int, default=None, help=f"worker processes; {WORKER_RULE}")
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=f"requests each process serves at once (default {DEFAULT_THREADS}; 1: one at a time)",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="seconds a worker may stay silent before it is replaced"
        )
        parser.add_argument(
            "--graceful-timeout", type=int, default=30, help="seconds requests under way get to finish on SIGTERM"
        )

    def handle(self, *args: object, **options: object) -> None:
        from django.core.wsgi import get_wsgi_application

        host, port = str(options["host"]), int(options["port"])  # type: ignore[call-overload]
        threads = int(options["threads"])  # type: ignore[call-overload]
        workers = options["workers"]
        workers = int(workers) if workers is not None else default_workers(threads=threads)  # type: ignore[call-overload]
        if threads < 1 or workers < 1:
            raise CommandError("--workers and --threads must be at least 1.")

        made_dir = prepare_metrics_dir()
        application = get_wsgi_application()
        freeze_loaded()  # before the workers are forked (see there)
        # The processes are forked from this one: none may inherit an open database connection.
        connections.close_all()
        master = os.getpid()

        def on_ready(listeners: list[str]) -> None:  # e.g. ["http://127.0.0.1:8000"]
            where = ", ".join(f"{address}/" for address in listeners)
            sys.stdout.write(f"ocilink on {where} ; {workers} processes x {threads} threads ; Ctrl-C stops it.\n")
            sys.stdout.flush()

        server = WebServer(
            application,
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            timeout=int(options["timeout"]),  # type: ignore[call-overload]
            graceful_timeout=int(options["graceful_timeout"]),  # type: ignore[call-overload]
            on_ready=on_ready,
        )
        try:
            server.run()  # returns by SystemExit, in the master and in every worker process
        finally:
            if os.getpid() == master:
                if made_dir:
                    shutil.rmtree(made_dir, ignore_errors=True)
                sys.stdout.write("Stopped.\n")
                sys.stdout.flush()
