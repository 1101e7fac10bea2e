"""Login throttling with django-axes: whose address a login comes from, and the page shown while logging in is paused.

The settings (``AXES_*`` in ``settings.py``) point here. Axes counts failures per username and address and refuses a
login during the pause; this module answers the two questions it leaves to the project.
"""

from __future__ import annotations

import ipaddress
import math
from functools import lru_cache
from http import HTTPStatus

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# A real chain of proxies is a handful of hops; anything longer is not looked at further (the header comes from
# outside).
MAX_FORWARDED_HOPS = 20


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address of the client: REMOTE_ADDR, unless that is a trusted proxy (``TRUSTED_PROXIES``).

    Behind trusted proxies, X-Forwarded-For is read from the right (each proxy appends the address it saw), and the
    first address that is not itself a trusted proxy is the client: what a client wrote further left is its own claim
    and changes nothing. A malformed entry ends the walk at the last address a trusted proxy vouched for.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "").strip() or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    current = _address(remote) if remote else None
    if current is None or not _trusted(current, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    for hop in reversed(forwarded[-MAX_FORWARDED_HOPS:]):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _trusted(current, networks):
            break
    return str(current)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, object] | None = None
) -> HttpResponse:
    """The page for a login refused while paused: what happened, for how long, and what to do (429, Retry-After)."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    minutes = math.ceil(seconds / 60) if seconds else None
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=HTTPStatus.TOO_MANY_REQUESTS)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
