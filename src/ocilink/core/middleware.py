"""One middleware, first in the chain, for what every request shares: its id, its access log line and its metrics.

* **Request id.** ``X-Request-ID`` from a trusted proxy (``REQUEST_ID_FROM_PROXY``) when it looks like an id,
  otherwise a fresh one. It is on every log line of the request (``core.logging.RequestIdFilter``) and on the
  response, so a buyer's complaint, the proxy's log and ocilink's log meet.
* **Access log.** One line per request on the logger ``ocilink.access`` (``ACCESS_LOG``): method, route, path,
  status, duration, client address; health checks and scrapes only when they fail. Never the query string (a GET
  cart return carries the cart there), and a path argument that names a secret (the HOOK_URL token) is written as
  ``[redacted]``.
* **Metrics.** Requests by method, route and status, and their duration (``core.metrics``).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from . import metrics
from .logging import is_secret_name, request_id

access_logger = logging.getLogger("ocilink.access")

# What an id from a proxy may look like: a UUID, a hex string, a trace id; nothing that could forge a log line.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
# A load balancer asks these every few seconds: their access lines would drown the others. Counted in the metrics
# all the same, and logged when they fail.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
# The label of a request that matched no URL pattern (one label, so a scan of random paths adds no series).
UNMATCHED_ROUTE = "<unmatched>"


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request: HttpRequest) -> str:
    """The proxy's id when it is trusted and well-formed, else a new one."""
    if settings.REQUEST_ID_FROM_PROXY:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if _VALID_REQUEST_ID.fullmatch(given):
            return given
    return new_request_id()


def route_of(request: HttpRequest) -> str:
    """The URL pattern that served the request (``punchout/return/<str:token>/``): few values, fit for a label."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        static = "/" + settings.STATIC_URL.strip("/") + "/"
        # Static files are answered before any URL pattern (WhiteNoise): one label for all of them.
        return static if request.path.startswith(static) else UNMATCHED_ROUTE
    return "/" + match.route.lstrip("^").rstrip("$")


def loggable_path(request: HttpRequest) -> str:
    """The path, with every URL argument that names a secret (the HOOK_URL token) replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if is_secret_name(name) and value:
                path = path.replace(str(value), "[redacted]")
    return path


def _forget_request_id(**kwargs: object) -> None:
    """The response is closed: lines of this thread belong to no request until the next one."""
    request_id.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="ocilink.core.middleware.request_id")


class RequestMiddleware:
    """Request id, access log line and metrics of every request. Goes first in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = incoming_request_id(request)
        # Kept until the response is closed (request_finished): Django logs a 4xx or 5xx after the middleware.
        request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except BaseException:
            # Django turns view errors into a 500 response; this is only reached when that fails too.
            self._record(request, 500, time.perf_counter() - started)
            raise
        response["X-Request-ID"] = rid
        self._record(request, response.status_code, time.perf_counter() - started)
        return response

    def _record(self, request: HttpRequest, status: int, seconds: float) -> None:
        route = route_of(request)
        metrics.observe_request(method=request.method or "", route=route, status=status, seconds=seconds)
        if settings.ACCESS_LOG and not (route in QUIET_ROUTES and status < 400):
            path = loggable_path(request)
            access_logger.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                status,
                seconds * 1000,
                extra={
                    "method": request.method,
                    "route": route,
                    "path": path,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "remote_addr": request.META.get("REMOTE_ADDR", ""),
                },
            )
