"""Serve one or more WSGI applications with waitress from one process, and stop them together and cleanly."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

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
