"""Where the transports may connect (checked after DNS), and the deadline of a whole send. No database."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterator

import pytest

from ocilink.dispatch.transports import network

REFUSED = [
    ("127.0.0.1", "127.0.0.1", ["127.0.0.0/8"]),
    ("10.0.0.1", "10.0.0.1", ["10.0.0.0/8"]),
    ("169.254.169.254", "169.254.169.254", ["169.254.169.254/32"]),
    ("::1", "::1", ["::1"]),
    ("::ffff:127.0.0.1", "::ffff:127.0.0.1", ["127.0.0.0/8"]),
    ("localhost", "127.0.0.1", ["127.0.0.0/8", "::1"]),
]


@pytest.mark.parametrize(("host", "address", "allowed"), REFUSED)
def test_a_private_address_is_refused_unless_its_network_is_allowed(
    host: str, address: str, allowed: list[str]
) -> None:
    # when the platform allows nothing
    with pytest.raises(network.ForbiddenTarget) as refused:
        network.resolve(host, 443)

    # then
    assert refused.value.host == host
    assert refused.value.address == address

    # when the platform allows the address's network
    assert address in network.resolve(host, 443, allowed=allowed)


@pytest.mark.parametrize(
    "address",
    [
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.10",  # documentation
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible
    ],
)
def test_reserved_and_embedded_private_addresses_are_not_public(address: str) -> None:
    assert not network.permitted(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "2002:808:808::1"])
def test_public_addresses_are_permitted(address: str) -> None:
    assert network.permitted(ipaddress.ip_address(address))


def test_the_unspecified_address_and_multicast_are_refused_even_when_everything_is_allowed() -> None:
    everything = network.parse_networks(["0.0.0.0/0", "::/0"])

    assert network.permitted(ipaddress.ip_address("10.1.2.3"), everything)
    assert not network.permitted(ipaddress.ip_address("0.0.0.0"), everything)
    assert not network.permitted(ipaddress.ip_address("::"), everything)
    assert not network.permitted(ipaddress.ip_address("239.1.1.1"), everything)


def test_an_allowed_network_that_is_no_network_is_refused_with_its_value() -> None:
    with pytest.raises(ValueError, match="'intranet' is not an IP network"):
        network.parse_networks(["10.0.0.0/8", "intranet"])


def test_a_name_that_does_not_resolve_raises_a_resolver_error() -> None:
    with pytest.raises(socket.gaierror):
        network.resolve("no-such-host.invalid", 443)


def test_a_resolver_that_hangs_is_given_up_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a resolver that answers after 2 s (a fake: the machine's own resolver cannot be made slow)
    release = threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def slow_getaddrinfo(*args: object, **kwargs: object) -> object:
        release.wait(2)
        return real_getaddrinfo("127.0.0.1", 443)

    monkeypatch.setattr(network.socket, "getaddrinfo", slow_getaddrinfo)

    # when / then
    with pytest.raises(TimeoutError, match="resolving supplier.example took longer than 0.1 seconds"):
        network.resolve("supplier.example", 443, timeout=0.1)
    release.set()


@pytest.fixture
def dripping_port() -> Iterator[int]:
    """A server that sends one byte every 50 ms for 10 s: no single read ever waits long."""
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:

        def drip() -> None:
            with contextlib.suppress(OSError):
                connection, _ = server.accept()
                with connection:
                    for _ in range(200):
                        if stop.wait(0.05):
                            return
                        connection.sendall(b".")

        thread = threading.Thread(target=drip, daemon=True)
        thread.start()
        yield int(server.getsockname()[1])
        stop.set()
    thread.join(timeout=5)


def test_the_cutoff_ends_a_connection_at_the_deadline_whatever_each_read_allows(dripping_port: int) -> None:
    # given a connection where each read may wait 10 s
    deadline = network.Deadline(0.3)
    with network.connect(["127.0.0.1"], dripping_port, timeout=10) as sock, network.Cutoff(deadline) as cutoff:
        cutoff.attach(sock)

        # when the client reads until the server stops
        received = b""
        while chunk := sock.recv(1):
            received += chunk

    # then the deadline ended it, long before the server would have
    assert cutoff.fired
    assert deadline.expired
    assert 0 < len(received) < 200


def test_a_socket_attached_after_the_deadline_is_shut_down_at_once(dripping_port: int) -> None:
    deadline = network.Deadline(0)
    with network.connect(["127.0.0.1"], dripping_port, timeout=10) as sock, network.Cutoff(deadline) as cutoff:
        cutoff.attach(sock)

        assert sock.recv(1024) == b""
    assert cutoff.fired
