"""The address of the client behind the proxies this server trusts (``TRUSTED_PROXIES``).

``REMOTE_ADDR`` is the peer of the connection: behind a proxy, the proxy. The proxy appends the address it received
the request from to ``X-Forwarded-For``; everything to the left of that was sent by the client and may be made up.
So the header is read only when ``REMOTE_ADDR`` is a trusted proxy, and then from the right: the first address
that is not itself a trusted proxy is the client. Every place that rate-limits or records a client uses this.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def networks_of(values: tuple[str, ...]) -> tuple[Network, ...]:
    """Networks from a setting's list of addresses or networks (which the settings checked), parsed once."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def trusted_networks() -> tuple[Network, ...]:
    """The parsed ``TRUSTED_PROXIES`` (the settings refuse a value that is not an address or a network)."""
    return networks_of(tuple(str(proxy) for proxy in getattr(settings, "TRUSTED_PROXIES", ())))


def parse_address(value: str) -> Address | None:
    """An IP address as a proxy writes it: ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1`` or ``[2001:db8::1]:443``.

    An IPv4 address mapped into IPv6 (``::ffff:1.2.3.4``) is that IPv4 address. Anything else gives ``None``.
    """
    text = value.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4 with a port; an IPv6 address has at least two colons
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # without an IPv6 zone ("%eth0")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(meta: Mapping[str, Any]) -> str:
    """The client's IP address for a request's ``META`` (or a WSGI environ); ``""`` when there is none.

    ``X-Forwarded-For`` counts only when ``REMOTE_ADDR`` is a trusted proxy; it is read from the right, skipping
    trusted proxies, up to the first address that is not one. An entry that is not an address ends the walk: what
    stands left of it cannot be trusted, so the last proxy that was trusted is taken as the client.
    """
    remote = parse_address(str(meta.get("REMOTE_ADDR") or ""))
    if remote is None:
        return ""
    networks = trusted_networks()
    if not networks or not _trusted(remote, networks):
        return str(remote)
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    client = remote
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = parse_address(entry)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_key(address: str) -> str:
    """What a rate limit counts a client by: an IPv4 address, or the /64 network of an IPv6 address (one household
    or server usually holds a whole /64, so counting single IPv6 addresses would count nothing)."""
    parsed = parse_address(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
    return str(parsed)
