"""Login throttling with django-axes: whose address a login comes from, and the page shown while logging in is paused.

The settings (``AXES_*`` in ``settings.py``) point here. Axes counts failures per username and address and refuses a
login during the pause; this module answers the two questions it leaves to the project.
"""

from __future__ import annotations

import math
from http import HTTPStatus

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ocilink.core.client_address import client_address as core_client_address


def client_address(request: HttpRequest) -> str | None:
    """The client's address for axes: the same rule as everywhere else (``core.client_address``, trusted proxies)."""
    return core_client_address(request.META) or None


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
