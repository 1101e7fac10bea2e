"""A real SFTP server for the demo supplier and the tests: asyncssh on its own event loop in a thread.

Clients are chrooted to ``root``, which holds an ``orders/`` folder. A file counts as received when it is renamed
into ``orders/`` under its final name (the upload-then-rename a careful client does); it is then handed to the
recorder. Files written directly, and ``.part``/dot files, are never recorded: that would record half files.

For fault injection, ``cut_after_bytes(n)`` drops the connection of the next upload after ``n`` bytes were
written. Each server generates a fresh ed25519 host key unless one is passed in.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, cast

import asyncssh

__all__ = ["CHANNEL", "InboxRecorder", "SftpInbox"]

logger = logging.getLogger(__name__)

CHANNEL = "cxml_sftp"  # the recorder's channel for files received here
ORDERS = "orders"
# How long start() and stop() wait for the server thread; generous, a loopback listener starts in milliseconds.
_STARTUP_TIMEOUT_SECONDS = 10.0


class InboxRecorder(Protocol):
    """Anything that keeps what the supplier received (``InboxStore`` does)."""

    def record(self, channel: str, key: str, data: bytes, meta: dict[str, Any], /) -> object: ...


class SftpInbox:
    """An SFTP server on ``host:port`` (port 0 picks a free one; see ``.port`` after ``start()``)."""

    def __init__(
        self,
        recorder: InboxRecorder,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str = "supplier",
        password: str | None = "supplier-password",
        authorized_client_keys: Iterable[str | bytes | asyncssh.SSHKey] | None = None,
        host_key: asyncssh.SSHKey | None = None,
    ) -> None:
        self.recorder = recorder
        self.root = Path(root)
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.client_keys = frozenset(_public_data(key) for key in authorized_client_keys or ())
        self.host_key = host_key or asyncssh.generate_private_key("ssh-ed25519")
        self.auth_attempts = 0  # logins tried (right or wrong): a test can assert none were
        self.supports_posix_rename = True  # False: behave like a server without the OpenSSH extension
        self._lock = threading.Lock()
        self._cut_after: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()

    @property
    def host_key_fingerprint(self) -> str:
        """``SHA256:<base64 without padding>``, as ``ssh-keygen -lf`` prints it."""
        return str(self.host_key.get_fingerprint("sha256"))

    @property
    def orders_dir(self) -> Path:
        return self.root / ORDERS

    def cut_after_bytes(self, n: int) -> None:
        """Drop the connection of the next upload once ``n`` bytes of it were written to disk."""
        with self._lock:
            self._cut_after = n

    def start(self) -> SftpInbox:
        if self._thread is not None:
            return self
        self.orders_dir.mkdir(parents=True, exist_ok=True)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name=f"sftp-inbox-{self.host}", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            future = asyncio.run_coroutine_threadsafe(self._listen(), loop)
            self._acceptor = future.result(timeout=_STARTUP_TIMEOUT_SECONDS)
        except BaseException:
            self.stop()
            raise
        self.port = self._acceptor.get_port()
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=_STARTUP_TIMEOUT_SECONDS)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=_STARTUP_TIMEOUT_SECONDS)
            loop.close()
            self._loop = self._thread = self._acceptor = None

    def __enter__(self) -> SftpInbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- inside the server thread ------------------------------------------------------------------

    async def _listen(self) -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            self.host,
            self.port,
            server_factory=lambda: _InboxSshServer(self),
            server_host_keys=[self.host_key],
            sftp_factory=lambda chan: _InboxSftpServer(chan, self),
            allow_scp=False,
        )

    async def _shutdown(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
        for conn in list(self._connections):
            conn.abort()

    def _take_cut(self) -> int | None:
        with self._lock:
            limit, self._cut_after = self._cut_after, None
            return limit

    def _arrived(self, local_path: Path) -> None:
        """Record a file renamed to ``local_path`` if it is a final name directly inside ``orders/``."""
        if local_path.parent != self.orders_dir.resolve() or local_path.name.startswith("."):
            return
        if local_path.name.endswith(".part") or not local_path.is_file():
            return
        data = local_path.read_bytes()
        meta: dict[str, Any] = {
            "remote_path": f"/{ORDERS}/{local_path.name}",
            "size": len(data),
            "received_at": datetime.now(UTC).isoformat(),
        }
        meta.update(_cxml_meta(data))
        try:
            self.recorder.record(CHANNEL, local_path.name, data, meta)
        except Exception:  # the file is in orders/ regardless; a broken recorder must not fail the client
            logger.exception("Could not record %s received over SFTP", local_path.name)


class _InboxSshServer(asyncssh.SSHServer):
    def __init__(self, inbox: SftpInbox) -> None:
        self._inbox = inbox
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._inbox._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._inbox._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # every login needs a password or a key

    def password_auth_supported(self) -> bool:
        return self._inbox.password is not None

    def validate_password(self, username: str, password: str) -> bool:
        self._inbox.auth_attempts += 1
        expected = self._inbox.password
        if expected is None:
            return False
        same_password = hmac.compare_digest(password.encode(), expected.encode())
        return username == self._inbox.username and same_password

    def public_key_auth_supported(self) -> bool:
        return bool(self._inbox.client_keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        self._inbox.auth_attempts += 1
        return username == self._inbox.username and key.public_data in self._inbox.client_keys


class _InboxSftpServer(asyncssh.SFTPServer):
    def __init__(self, chan: Any, inbox: SftpInbox) -> None:
        super().__init__(chan, chroot=os.fsencode(inbox.root))
        self._inbox = inbox
        self._cut_file: object | None = None
        self._cut_remaining = 0

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        file_obj = super().open(path, pflags, attrs)
        if pflags & asyncssh.FXF_WRITE:
            limit = self._inbox._take_cut()
            if limit is not None:
                self._cut_file, self._cut_remaining = file_obj, limit
        return file_obj

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        if file_obj is not self._cut_file:
            return cast(int, super().write(file_obj, offset, data))
        if len(data) < self._cut_remaining:
            self._cut_remaining -= len(data)
            return cast(int, super().write(file_obj, offset, data))
        super().write(file_obj, offset, data[: self._cut_remaining])
        self._cut_file = None
        self.connection.abort()  # as if the network went away mid-upload
        return self._cut_remaining

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        super().rename(oldpath, newpath)
        self._inbox._arrived(Path(os.fsdecode(self.map_path(newpath))))

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        if not self._inbox.supports_posix_rename:
            raise asyncssh.SFTPOpUnsupported("posix-rename@openssh.com is not supported")
        super().posix_rename(oldpath, newpath)
        self._inbox._arrived(Path(os.fsdecode(self.map_path(newpath))))


def _public_data(key: str | bytes | asyncssh.SSHKey) -> bytes:
    if isinstance(key, asyncssh.SSHKey):
        return bytes(key.public_data)
    return bytes(asyncssh.import_public_key(key).public_data)


def _cxml_meta(data: bytes) -> dict[str, Any]:
    """payloadID and orderID when the file is a cXML OrderRequest; the reason when it is not."""
    try:
        from ocilink.protocols.cxml import parse_order_request

        parsed = parse_order_request(data)
    except Exception as exc:  # any file may arrive; an unreadable one is still recorded
        return {"parse_error": str(exc) or type(exc).__name__}
    return {"payload_id": parsed.payload_id, "order_id": parsed.order_id}
