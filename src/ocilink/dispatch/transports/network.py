"""Where a transport may connect, and for how long: the supplier's address checked after DNS, and a deadline.

Order URLs and SFTP hosts are typed in by people, so they may name a machine inside the platform's own network: a
database, the cloud's metadata service at 169.254.169.254, the platform itself on 127.0.0.1. :func:`resolve` looks
a name up once and refuses it when any of its addresses is not on the public internet, unless it lies in a network
the platform's operator allowed; the transports then connect to exactly the checked addresses, so a name that
resolves differently a moment later (DNS rebinding) changes nothing.

:class:`Cutoff` bounds a whole send: whatever a library waits for (a server that drips its answer a byte at a time
resets every per-read timeout), the connection is shut down when the deadline passes, so a worker always finishes
within its lease.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

__all__ = ["Cutoff", "Deadline", "ForbiddenTarget", "connect", "is_public", "parse_networks", "permitted", "resolve"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 ranges that carry an IPv4 address in their last 32 bits and reach it through a translator (RFC 6052 NAT64,
# RFC 8215 local NAT64); "::a.b.c.d" is the deprecated IPv4-compatible form.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class ForbiddenTarget(Exception):
    """The host resolves to an address that is not on the public internet, and no allowed network holds it."""

    def __init__(self, *, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}, which is not a public internet address")
        self.host = host
        self.address = address


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Networks from text such as ``127.0.0.0/8`` or ``::1``; raises ``ValueError`` naming a value that is none."""
    networks: list[IPNetwork] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not an IP network (e.g. 10.20.0.0/16 or ::1)") from exc
    return tuple(networks)


def embedded_ipv4(address: IPAddress) -> IPAddress | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, Teredo, IPv4-compatible), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in network for network in _NAT64) or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client behind the relay
    return None


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a unicast address on the public internet (and so is any IPv4 address it carries)."""
    candidates = [address]
    inner = embedded_ipv4(address)
    if inner is not None:
        candidates.append(inner)
    return all(_public(candidate) for candidate in candidates)


def _public(address: IPAddress) -> bool:
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


def permitted(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> bool:
    """Whether a transport may connect to ``address``: a public one, or one inside an allowed network.

    The unspecified address (0.0.0.0, ::, which reach the local machine) and multicast are never a supplier's server.
    """
    candidates = [address]
    inner = embedded_ipv4(address)
    if inner is not None:
        candidates.append(inner)
    if any(candidate.is_unspecified or candidate.is_multicast for candidate in candidates):
        return False
    if is_public(address):
        return True
    return any(
        candidate.version == network.version and candidate in network for candidate in candidates for network in allowed
    )


def resolve(host: str, port: int, *, allowed: Iterable[str] = (), timeout: float | None = None) -> tuple[str, ...]:
    """The addresses of ``host`` (a name or an IP literal), every one of them checked, in the resolver's order.

    Raises :class:`ForbiddenTarget` when any address is not permitted (a name that also resolves to a private address
    is refused as a whole), ``socket.gaierror`` when the name cannot be resolved, and ``TimeoutError`` when the
    resolver takes longer than ``timeout`` seconds.
    """
    networks = parse_networks(allowed)
    infos = _getaddrinfo(host.strip("[]"), port, timeout)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    for address in addresses:
        if not permitted(ipaddress.ip_address(address.split("%", 1)[0]), networks):
            raise ForbiddenTarget(host=host, address=address)
    return tuple(addresses)


def _getaddrinfo(host: str, port: int, timeout: float | None) -> list[Any]:
    """``socket.getaddrinfo`` for TCP, within ``timeout``: the resolver has no timeout of its own to pass."""

    def lookup() -> list[Any]:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)

    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return lookup()  # an IP literal: nothing to look up
    if timeout is None:
        return lookup()
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(lookup())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            outcome.append(exc)

    # A daemon thread: a resolver that hangs past the timeout is left behind, never waited for at exit.
    thread = threading.Thread(target=run, name=f"resolve-{host}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise TimeoutError(f"resolving {host} took longer than {timeout:g} seconds")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return list(outcome[0])


def connect(addresses: Sequence[str], port: int, *, timeout: float) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers; raises the last ``OSError`` if none does."""
    last: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            last = exc
    raise last


class Deadline:
    """A point in time a whole send must finish by."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._end

    def bound(self, timeout: float) -> float:
        """``timeout``, shortened to what is left of the deadline (never zero: that would mean "no timeout")."""
        return max(0.001, min(timeout, self.remaining()))


class Cutoff:
    """Shut a connection down when a deadline passes, whatever the library using it waits for at that moment.

    ``attach`` the connection's socket as soon as it exists; one attached after the deadline is shut down at once.
    The cutoff keeps its own duplicate of the socket's descriptor, so it acts on the same connection after the library
    wrapped the socket in TLS, and never on a descriptor number the system gave to someone else after a close. A
    shut-down connection makes every blocked read and write return, so the library raises and the transport can
    report the deadline.
    """

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closed = False
        self._fired = False
        self._timer = threading.Timer(deadline.remaining(), self._fire)
        self._timer.daemon = True

    @property
    def fired(self) -> bool:
        """Whether the deadline cut the connection."""
        return self._fired

    def attach(self, sock: socket.socket) -> None:
        duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            if self._closed:
                duplicate.close()
                return
            self._sockets.append(duplicate)
        if self.deadline.expired:
            self._fire()

    def __enter__(self) -> Cutoff:
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            for duplicate in self._sockets:
                duplicate.close()  # only our duplicate descriptor: the connection stays the library's to close
            self._sockets.clear()

    def _fire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._fired = True
            for duplicate in self._sockets:
                try:
                    duplicate.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # the peer or the library closed it already
