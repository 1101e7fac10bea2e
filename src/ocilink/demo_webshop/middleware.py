"""Route requests of the demo webshop's own origin to its URLconf."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SITE_ENVIRON_KEY = "ocilink.site"


class SiteMiddleware:
    """The demo webshop runs in the same process on another port; its WSGI entry tags the environ."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get(SITE_ENVIRON_KEY) == "webshop":
            request.urlconf = settings.DEMO_WEBSHOP_URLCONF  # type: ignore[attr-defined]
        return self.get_response(request)
