"""SFTP transport: plain functions around paramiko that place one file on a supplier's server.

The host is resolved once and every address checked (``network.resolve`` refuses one off the public internet); the
socket goes to a checked address. The server's host key is compared with the pinned fingerprint right after the key
exchange, before any credential is sent. A whole session ends at its deadline (``SftpTarget.total_timeout``).
A file is written to ``.<name>.part`` and renamed into place, so the supplier never sees half a file under the
final name; the final file is then ``stat``-ed as evidence.

Errors are the transport's own (:class:`SftpError` and subclasses) and carry facts, not advice: the channel
turns them into retry-or-stop decisions and sentences for a person.
"""

from __future__ import annotations

import hmac
import io
import posixpath
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ocilink.dispatch.transports import network

__all__ = [
    "AuthenticationFailed",
    "DirectoryListing",
    "HostKeyMismatch",
    "LoginCutOff",
    "NegotiationFailed",
    "PrivateKeyUnusable",
    "RemoteFileConflict",
    "RemoteOperationFailed",
    "RemotePathError",
    "RemoteStat",
    "ServerIdentity",
    "SftpConnectionError",
    "SftpError",
    "SftpTarget",
    "UploadReceipt",
    "list_directory",
    "normalize_fingerprint",
    "part_name",
    "upload",
]

# An OpenSSH SHA256 fingerprint: 32 bytes in base64 without the trailing "=" (43 characters).
_FINGERPRINT = re.compile(r"SHA256:([A-Za-z0-9+/]{43})=?")

POSIX_RENAME = "posix-rename@openssh.com"


@dataclass(frozen=True)
class SftpTarget:
    """Where to connect and how to log in. Secrets are kept out of ``repr``."""

    host: str
    port: int
    username: str
    host_key_fingerprint: str  # "SHA256:<base64 without padding>", as `ssh-keygen -lf` prints it
    timeout: float = 30.0  # for connecting and for each wait for the server
    password: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)  # OpenSSH or PEM text, unencrypted
    allowed_networks: tuple[str, ...] = ()  # networks off the public internet that may still be connected to
    total_timeout: float | None = None  # the whole session, login and upload included (default: ``timeout``)


@dataclass(frozen=True)
class ServerIdentity:
    """What the server showed before we authenticated."""

    banner: str  # e.g. "SSH-2.0-OpenSSH_9.2p1"
    host_key_type: str  # e.g. "ssh-ed25519"
    host_key_fingerprint: str


@dataclass(frozen=True)
class RemoteStat:
    mode: int | None
    size: int | None
    mtime: int | None  # seconds since the epoch, as the server reports it


@dataclass(frozen=True)
class UploadReceipt:
    """Proof that the file is on the server under its final name."""

    remote_path: str
    size: int
    stat: RemoteStat
    server: ServerIdentity
    already_present: bool  # an earlier try had placed a file of the same size under this name
    rename_method: str  # POSIX_RENAME, "rename", or "" when already present
    transcript: tuple[str, ...]


@dataclass(frozen=True)
class DirectoryListing:
    directory: str
    names: tuple[str, ...]
    server: ServerIdentity
    transcript: tuple[str, ...]


class SftpError(Exception):
    """A transport failure. ``transcript`` lists the steps taken, for the attempt log (no secrets)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.transcript: tuple[str, ...] = ()
        self.temp_upload_started = False  # a ".part" file may have been written


class SftpConnectionError(SftpError):
    """Could not connect, timed out, or the connection broke: worth retrying."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.deadline_passed = False  # the whole send took longer than its deadline, and was cut off


class LoginCutOff(SftpConnectionError):
    """The connection broke off or stalled while logging in, before the server gave its verdict."""


class NegotiationFailed(SftpError):
    """The SSH handshake failed for a reason a retry will not fix (e.g. no common algorithm)."""


class HostKeyMismatch(SftpError):
    def __init__(self, *, host: str, port: int, presented: str, expected: str) -> None:
        super().__init__(f"{host}:{port} presented host key {presented}, expected {expected}")
        self.host, self.port, self.presented, self.expected = host, port, presented, expected


class AuthenticationFailed(SftpError):
    def __init__(self, *, username: str, methods: tuple[str, ...], detail: str) -> None:
        super().__init__(f"login as {username!r} refused ({', '.join(methods)}): {detail}")
        self.username, self.methods, self.detail = username, methods, detail


class PrivateKeyUnusable(SftpError):
    """The stored private key cannot be read (wrong format, or protected by a passphrase)."""


class RemotePathError(SftpError):
    def __init__(self, *, path: str, reason: str, detail: str) -> None:
        super().__init__(f"{path}: {reason} ({detail})")
        self.path, self.reason, self.detail = path, reason, detail  # reason: "missing" or "denied"


class RemoteFileConflict(SftpError):
    """A file of another size sits under the final name (before the upload: it was left alone)."""

    def __init__(self, *, path: str, remote_size: int | None, local_size: int, after_upload: bool = False) -> None:
        super().__init__(f"{path} has {remote_size} bytes, ours has {local_size}")
        self.path, self.remote_size, self.local_size = path, remote_size, local_size
        self.after_upload = after_upload  # our own rename produced it: the server changed or cut the file


class RemoteOperationFailed(SftpError):
    """The server answered an operation with a generic failure (SFTP v3 has no finer code, e.g. disk full)."""

    def __init__(self, *, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path, self.detail = path, detail


def _paramiko() -> Any:
    """paramiko, imported on first use: the registry imports every channel, and paramiko alone takes 0.25 s."""
    import paramiko  # type: ignore[import-untyped,unused-ignore]

    return paramiko


def normalize_fingerprint(text: str) -> str:
    """``SHA256:<base64>`` from what an administrator pasted; raises ``ValueError`` if there is none.

    Accepts the bare fingerprint or the whole ``ssh-keygen -lf`` line ("256 SHA256:... host (ED25519)").
    """
    match = _FINGERPRINT.search(text or "")
    if match is None:
        raise ValueError(f"{text!r} is not a SHA256 host key fingerprint (SHA256:<43 base64 characters>)")
    return f"SHA256:{match.group(1)}"


def part_name(file_name: str) -> str:
    """The temporary name a file is written under before the rename."""
    return f".{file_name}.part"


def upload(target: SftpTarget, *, directory: str, file_name: str, data: bytes) -> UploadReceipt:
    """Place ``data`` at ``<directory>/<file_name>`` via a ``.part`` file and a rename; ``stat`` the result.

    If a file of the same size is already there (an earlier try got this far), report it as already present
    without uploading again; if one of another size is there, raise :class:`RemoteFileConflict`.
    """
    final_path = posixpath.join(directory, file_name)
    temp_path = posixpath.join(directory, part_name(file_name))
    steps: list[str] = []
    try:
        with _session(target, steps) as (transport, sftp, server):
            existing = _stat_if_exists(sftp, transport, final_path, steps)
            if existing is not None:
                if existing.size != len(data):
                    raise RemoteFileConflict(path=final_path, remote_size=existing.size, local_size=len(data))
                steps.append(f"{final_path} is already there with the same size; not uploading again")
                return UploadReceipt(final_path, len(data), existing, server, True, "", tuple(steps))
            try:
                _write(sftp, transport, temp_path, data, steps)
                method = _rename_into_place(sftp, transport, temp_path, final_path, steps)
                final = _stat(sftp, transport, final_path, steps)
            except SftpError as exc:
                exc.temp_upload_started = True
                if not isinstance(exc, SftpConnectionError):  # a broken or stalled session cannot clean up
                    _remove_quietly(sftp, transport, temp_path, steps)
                else:
                    steps.append(f"{temp_path} may remain on the server; the next try overwrites it")
                raise
            if final.size != len(data):
                raise RemoteFileConflict(
                    path=final_path, remote_size=final.size, local_size=len(data), after_upload=True
                )
            return UploadReceipt(final_path, len(data), final, server, False, method, tuple(steps))
    except SftpError as exc:
        exc.transcript = tuple(steps)
        raise


def list_directory(target: SftpTarget, directory: str) -> DirectoryListing:
    """Connect, check the host key, log in and list ``directory`` (for onboarding checks)."""
    steps: list[str] = []
    try:
        with _session(target, steps) as (transport, sftp, server):
            with _translate(transport, directory):
                names = tuple(sorted(sftp.listdir(directory)))
            steps.append(f"listed {directory}: {len(names)} entries")
            return DirectoryListing(directory, names, server, tuple(steps))
    except SftpError as exc:
        exc.transcript = tuple(steps)
        raise


@contextmanager
def _session(target: SftpTarget, steps: list[str]) -> Iterator[tuple[Any, Any, ServerIdentity]]:
    paramiko = _paramiko()
    expected = normalize_fingerprint(target.host_key_fingerprint)
    deadline = network.Deadline(target.total_timeout if target.total_timeout is not None else target.timeout)
    timeout = deadline.bound(target.timeout)
    try:
        # Refuses (network.ForbiddenTarget) a host off the public internet; the socket goes to a checked address.
        addresses = network.resolve(target.host, target.port, allowed=target.allowed_networks, timeout=timeout)
        sock = network.connect(addresses, target.port, timeout=timeout)
    except OSError as exc:  # refused, timed out, no route, DNS failure
        raise SftpConnectionError(f"could not connect to {target.host}:{target.port}: {_describe(exc)}") from exc
    transport = paramiko.Transport(sock)
    transport.banner_timeout = transport.handshake_timeout = transport.auth_timeout = timeout
    cutoff = network.Cutoff(deadline)
    cutoff.attach(sock)
    try:
        with cutoff:
            try:
                yield from _logged_in(transport, target, expected, steps, timeout)
            except SftpConnectionError as exc:
                exc.deadline_passed = cutoff.fired
                raise
    finally:
        transport.close()


def _logged_in(
    transport: Any, target: SftpTarget, expected: str, steps: list[str], timeout: float
) -> Iterator[tuple[Any, Any, ServerIdentity]]:
    paramiko = _paramiko()
    try:
        transport.start_client(timeout=timeout)
        key = transport.get_remote_server_key()  # "No existing session" if the handshake timed out
    except paramiko.IncompatiblePeer as exc:
        raise NegotiationFailed(f"SSH handshake with {target.host} failed: {exc}") from exc
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise SftpConnectionError(f"SSH handshake with {target.host} failed: {_describe(exc)}") from exc
    server = ServerIdentity(str(transport.remote_version), str(key.get_name()), str(key.fingerprint))
    steps.append(f"connected to {target.host}:{target.port}, server {server.banner}")
    # Checked before a single credential or byte of the order leaves this machine.
    if not hmac.compare_digest(server.host_key_fingerprint, expected):
        steps.append(f"host key {server.host_key_fingerprint} does not match {expected}; disconnected")
        raise HostKeyMismatch(
            host=target.host, port=target.port, presented=server.host_key_fingerprint, expected=expected
        )
    steps.append(f"host key {server.host_key_type} {server.host_key_fingerprint} matches the pinned key")
    _authenticate(transport, target, steps)
    try:
        sftp = paramiko.SFTPClient.from_transport(transport)
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise SftpConnectionError(f"could not start SFTP on {target.host}: {_describe(exc)}") from exc
    sftp.get_channel().settimeout(timeout)
    try:
        yield transport, sftp, server
    finally:
        sftp.close()


def _authenticate(transport: Any, target: SftpTarget, steps: list[str]) -> None:
    """Log in with the private key, then the password; only the server's own "no" counts as a refusal.

    paramiko raises ``AuthenticationException`` also when the connection broke off or timed out during the login;
    that is no verdict about the credentials, so it comes out as :class:`LoginCutOff` (worth retrying), not as
    :class:`AuthenticationFailed` (a person must fix the password or key).
    """
    paramiko = _paramiko()
    tried: list[str] = []
    detail = "no password or private key is configured"
    attempts: list[tuple[str, Any]] = []
    if target.private_key:
        key = _load_private_key(target.private_key)
        attempts.append((f"{key.get_name()} key", lambda: transport.auth_publickey(target.username, key)))
    if target.password:
        password = target.password
        attempts.append(("password", lambda: transport.auth_password(target.username, password)))
    for method, log_in in attempts:
        tried.append(method)
        try:
            further = log_in()
        except paramiko.AuthenticationException as exc:
            if not _server_said_no(transport, exc):
                steps.append(f"the connection broke off while logging in as {target.username}")
                raise LoginCutOff(f"connection lost while logging in: {_describe(exc)}") from exc
            detail = str(exc) or type(exc).__name__
            continue
        except (paramiko.SSHException, EOFError, OSError) as exc:  # the connection went away
            steps.append(f"the connection broke off while logging in as {target.username}")
            raise LoginCutOff(f"connection lost while logging in: {_describe(exc)}") from exc
        if transport.is_authenticated():
            steps.append(f"logged in as {target.username} with a {method}")
            return
        detail = f"the server asks for a further login step ({', '.join(further or [])})"
    steps.append(f"login as {target.username} refused")
    raise AuthenticationFailed(username=target.username, methods=tuple(tried), detail=detail)


def _server_said_no(transport: Any, exc: BaseException) -> bool:
    """Whether an ``AuthenticationException`` is the server's answer, not a lost or stalled connection.

    The server answered when the transport is still up after the exception; paramiko's own timeout (the server never
    answered) is not an answer either.
    """
    paramiko = _paramiko()
    if isinstance(exc, paramiko.BadAuthenticationType):  # the server named the methods it accepts
        return True
    return bool(transport.is_active()) and str(exc) != "Authentication timeout."


def _load_private_key(text: str) -> Any:
    """A paramiko key from OpenSSH, PKCS#1/SEC1 or PKCS#8 text (via ``cryptography``, then OpenSSH format)."""
    paramiko = _paramiko()
    data = text.strip().encode() + b"\n"
    try:
        try:
            loaded: Any = serialization.load_ssh_private_key(data, password=None)
        except ValueError:
            loaded = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # cryptography: "Password was not given but private key is encrypted"
        raise PrivateKeyUnusable("the private key is protected by a passphrase") from exc
    except Exception as exc:  # ValueError, UnsupportedAlgorithm, ...: cryptography raises several types
        raise PrivateKeyUnusable("the private key is not in a format that can be read (OpenSSH or PEM)") from exc
    if isinstance(loaded, ed25519.Ed25519PrivateKey):
        key_class = paramiko.Ed25519Key
    elif isinstance(loaded, ec.EllipticCurvePrivateKey):
        key_class = paramiko.ECDSAKey
    elif isinstance(loaded, rsa.RSAPrivateKey):
        key_class = paramiko.RSAKey
    else:
        raise PrivateKeyUnusable(f"{type(loaded).__name__} keys are not supported for SFTP logins")
    openssh = loaded.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    return key_class.from_private_key(io.StringIO(openssh.decode()))


@contextmanager
def _translate(transport: Any, path: str, *, missing: str | None = None) -> Iterator[None]:
    """Turn what paramiko raises during one SFTP operation on ``path`` into :class:`SftpError`.

    ``missing`` names what "no such file" refers to when it is not ``path`` itself (a new file's folder).
    """
    paramiko = _paramiko()
    try:
        yield
    except FileNotFoundError as exc:
        raise RemotePathError(path=missing or path, reason="missing", detail=_describe(exc)) from exc
    except PermissionError as exc:
        raise RemotePathError(path=path, reason="denied", detail=_describe(exc)) from exc
    except (EOFError, TimeoutError, ConnectionError, paramiko.SSHException) as exc:
        raise SftpConnectionError(f"connection lost during an operation on {path}: {_describe(exc)}") from exc
    except OSError as exc:
        if not transport.is_active():  # paramiko reports a closed socket as a plain OSError
            raise SftpConnectionError(f"connection lost during an operation on {path}: {_describe(exc)}") from exc
        raise RemoteOperationFailed(path=path, detail=_describe(exc)) from exc


def _stat(sftp: Any, transport: Any, path: str, steps: list[str]) -> RemoteStat:
    with _translate(transport, path):
        attrs = sftp.stat(path)
    result = RemoteStat(mode=attrs.st_mode, size=attrs.st_size, mtime=attrs.st_mtime)
    steps.append(f"stat {path}: {result.size} bytes, mode {oct(result.mode or 0)}, mtime {result.mtime}")
    return result


def _stat_if_exists(sftp: Any, transport: Any, path: str, steps: list[str]) -> RemoteStat | None:
    try:
        return _stat(sftp, transport, path, steps)
    except RemotePathError as exc:
        if exc.reason != "missing":
            raise
        steps.append(f"{path} does not exist yet")
        return None


def _write(sftp: Any, transport: Any, path: str, data: bytes, steps: list[str]) -> None:
    with _translate(transport, path, missing=posixpath.dirname(path) or "."):
        with sftp.open(path, "wb") as remote:  # truncates a ".part" left by an earlier, broken try
            remote.set_pipelined(True)
            remote.write(data)
    steps.append(f"wrote {len(data)} bytes to {path}")


def _rename_into_place(sftp: Any, transport: Any, source: str, target: str, steps: list[str]) -> str:
    """Atomic replace where the server has the OpenSSH extension; plain SFTP rename otherwise."""
    try:
        with _translate(transport, target):
            sftp.posix_rename(source, target)
    except RemoteOperationFailed as exc:  # the server does not know the extension ("Operation unsupported")
        steps.append(f"{POSIX_RENAME} not available ({exc.detail}); using a plain rename")
        with _translate(transport, target):
            sftp.rename(source, target)
        steps.append(f"renamed {source} to {target}")
        return "rename"
    steps.append(f"renamed {source} to {target} ({POSIX_RENAME})")
    return POSIX_RENAME


def _remove_quietly(sftp: Any, transport: Any, path: str, steps: list[str]) -> None:
    """Best effort: a later try truncates the ``.part`` anyway, and it never carries the final name."""
    try:
        sftp.remove(path)
    except Exception as exc:  # noqa: BLE001 - best effort only, the original error matters
        steps.append(f"could not remove {path}: {_describe(exc)}")
    else:
        steps.append(f"removed {path}")


def _describe(exc: BaseException) -> str:
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return text.strip().rstrip(":").strip() or type(exc).__name__  # paramiko: "Server connection dropped: "
