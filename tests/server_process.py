"""`ocilink serve` as a real subprocess on a free port of the loopback, against the test database, and a
"database" that accepts connections and never answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection as db_connection

START_TIMEOUT = 60.0


def database_url() -> str:
    """The test database, as DATABASE_URL (its rows must be committed to be seen: use transactional tests)."""
    db = db_connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    banner: str

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def stop(self, timeout: float = 40) -> int:
        """SIGTERM, as a process manager stops it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def stdout(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.read().decode()


def server_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocilink.settings",
        "OCILINK_DEMO": "0",
        "DEBUG": "0",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "OCILINK_KEYRING": ",".join(settings.OCILINK_KEYRING),
        "SESSION_COOKIE_SECURE": "0",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(overrides)
    return env


@contextmanager
def serve(tmp_path: Path, *args: str, **env: str) -> Iterator[Served]:
    """Run ``ocilink serve --port 0 <args>`` until the block ends; yields once it listens."""
    log = tmp_path / f"serve-{time.monotonic_ns()}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "ocilink.cli", "serve", "--port", "0", *args],
            env=server_env(**env),
            stdout=subprocess.PIPE,
            stderr=sink,
        )
    banner: list[str] = []

    def read_banner() -> None:
        assert process.stdout is not None
        banner.append(process.stdout.readline().decode())

    reader = threading.Thread(target=read_banner, daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    try:
        first = banner[0] if banner else ""
        assert first.startswith("ocilink on http://"), (first, log.read_text())
        yield Served(process=process, base_url=first.split()[2].rstrip("/"), log=log, banner=first)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent pid is the second field after it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


class SilentDatabase:
    """A TCP port that accepts connections and never answers: a database that hangs."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = int(self.socket.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"postgres://ocilink:secret-password@127.0.0.1:{self.port}/ocilink"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.accepted.append(conn)
            self.connected.set()

    def close(self) -> None:
        self.socket.close()
        for conn in self.accepted:
            conn.close()


def closed_port() -> int:
    """A port on the loopback where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
