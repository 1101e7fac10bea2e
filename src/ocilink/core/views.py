"""Endpoints for load balancers and monitoring: ``/healthz``, ``/readyz`` and ``/metrics``.

No login (a load balancer has none), no session, no tenant data and no secrets. ``/metrics`` answers only when
``METRICS_ALLOWED_IPS`` or ``METRICS_TOKEN`` is set, and then only to those (404 while both are empty).
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .client_address import networks_of
from .health import readiness
from .metrics import exposition


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answers. Touches no database: a slow database must not get a live process killed."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Whether this process can serve: 200 with each check, or 503 naming the ones that failed."""
    ready, checks = readiness()
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def metrics_allowed(request: HttpRequest) -> bool:
    """Whether this request may read the metrics: from an allowed address and with the token, where each is set."""
    allowed_ips = tuple(settings.METRICS_ALLOWED_IPS)
    token = settings.METRICS_TOKEN
    if allowed_ips:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        if not any(address in network for network in networks_of(allowed_ips)):
            return False
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return False
    return True


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition."""
    if not settings.METRICS_ALLOWED_IPS and not settings.METRICS_TOKEN:
        raise Http404("Metrics are off.")
    if not metrics_allowed(request):
        return HttpResponse("Not allowed.\n", status=403, content_type="text/plain; charset=utf-8")
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
