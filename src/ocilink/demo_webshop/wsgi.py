"""WSGI entry point of the demo webshop: the platform's application, tagged so it routes to the shop's URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .middleware import SITE_ENVIRON_KEY


def webshop_application(django_app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[SITE_ENVIRON_KEY] = "webshop"
        return django_app(environ, start_response)

    return app
