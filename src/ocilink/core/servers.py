"""The WSGI servers: :class:`WebServer` (gunicorn, several processes) for ``ocilink serve`` in production, and
:class:`ServerGroup` (waitress, threads of one process) for the demo, which serves the platform and the webshop
side by side in one process."""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.urls import get_resolver
from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from waitress.server import create_server

WSGIApp = Callable[..., Iterable[bytes]]


class ServerGroup:
    """Several waitress servers, each in its own thread, started and stopped together."""

    def __init__(self, apps: Sequence[tuple[WSGIApp, str, int]], *, threads: int = 8) -> None:
        self.servers = [create_server(app, host=host, port=port, threads=threads) for app, host, port in apps]
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for server in self.servers:
            thread = threading.Thread(target=server.run, name=f"waitress-{server.effective_port}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for server in self.servers:
            server.close()
            server.task_dispatcher.shutdown(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def serve_until_interrupted(self) -> None:
        """Block until Ctrl-C or SIGTERM, then stop every server."""
        stop = threading.Event()

        def _on_signal(*_args: Any) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.start()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


# --- `ocilink serve`: several worker processes (gunicorn) ---------------------------------------------------------


def available_cpus() -> int:
    """The cores this process may run on (a container's cpuset counts; a CPU quota does not: pass --workers)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(*, threads: int, cpus: int | None = None) -> int:
    """How many worker processes ``ocilink serve`` starts when not told: see :data:`WORKER_RULE`."""
    cpus = cpus or available_cpus()
    if threads <= 1:
        return 2 * cpus + 1
    return max(2, cpus)


WORKER_RULE = "default: one process per core (at least 2) with --threads > 1, 2 x cores + 1 processes with --threads 1"


def freeze_loaded() -> int:
    """Load what every request needs (the URL patterns and the views they import), then take every object alive now
    out of the garbage collector's full collections (``gc.freeze``); the number of objects frozen.

    A full collection otherwise walks the whole of Django and ocilink, over a hundred thousand objects: a pause of
    about 120 ms in whichever request happens to trigger it (a large cart return allocates enough to, see
    bench/cart_ingest.py). Frozen, it walks only what was made since. ``ocilink serve`` calls it in the master, before
    it forks its workers: they share those memory pages, which the collector then no longer writes into.
    """
    get_resolver().url_patterns  # noqa: B018  (imports the URLconf and the views)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class _DjangoLogging(glogging.Logger):
    """gunicorn's own lines (start, stop, a worker that died) go through the logging Django set up: the same
    format (``LOG_FORMAT``), the same secret redaction. Its access log stays off: ``core.middleware`` writes one
    line per request, with the request id and the URL pattern."""

    def setup(self, cfg: Any) -> None:
        self.cfg = cfg
        self._access_log_enabled = False
        self.loglevel = self.LOG_LEVELS.get(cfg.loglevel.lower(), logging.INFO)
        self.error_log.setLevel(self.loglevel)
        self.error_log.propagate = True
        self.access_log.propagate = True


class WebServer(BaseApplication):
    """A gunicorn master that forks ``workers`` processes serving ``app`` on ``host:port``.

    SIGTERM stops it gracefully: it stops listening, lets each worker finish the requests it has (at most
    ``graceful_timeout`` seconds) and exits 0. Ctrl-C (SIGINT) stops at once. A worker that is stuck longer than
    ``timeout`` seconds is killed and replaced.
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        host: str,
        port: int,
        workers: int,
        threads: int,
        timeout: int = 60,
        graceful_timeout: int = 30,
        on_ready: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.application = app
        self.options: dict[str, object] = {
            "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
            "workers": workers,
            "threads": threads,
            # Threads share one process's memory and database connections; one thread is the classic sync worker.
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "graceful_timeout": graceful_timeout,
            "keepalive": 5,  # a load balancer reuses its connections to the web processes
            "logger_class": _DjangoLogging,
            "accesslog": None,
            # Several servers may run on one machine (and in the tests): no shared control socket in $HOME.
            "control_socket_disable": True,
            "proc_name": "ocilink",
        }
        if os.path.isdir("/dev/shm"):
            # The workers' heartbeat files: in memory, since a container's /tmp may be a slow overlay.
            self.options["worker_tmp_dir"] = "/dev/shm"
        if on_ready is not None:
            self.options["when_ready"] = lambda arbiter: on_ready([str(s) for s in arbiter.LISTENERS])
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApp:
        return self.application
