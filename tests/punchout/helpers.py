"""Helpers for punchout tests: start a punchout as a buyer and read the form the browser would submit."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from ocilink.protocols.oci import encode_cart_body

_INPUT = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def start_punchout(client: Client, supplier_id: int, **data: str) -> tuple[dict[str, str], str]:
    """POST the Shop button; return the login form's fields and the HOOK_URL path."""
    response = client.post(reverse("punchout:start", args=[supplier_id]), data)
    assert response.status_code == 200, response.content[:500]
    fields = {html.unescape(n): html.unescape(v) for n, v in _INPUT.findall(response.content.decode())}
    return fields, urlsplit(fields["HOOK_URL"]).path


def line(n: int, **overrides: str) -> dict[str, str]:
    fields = {
        "DESCRIPTION": f"Article {n}",
        "QUANTITY": "2",
        "UNIT": "PCE",
        "PRICE": "10.00",
        "CURRENCY": "EUR",
        "VENDORMAT": f"A-{n}",
    }
    fields.update(overrides)
    return fields


def cart_body(count: int = 3, **overrides: str) -> bytes:
    return encode_cart_body([line(n, **overrides) for n in range(1, count + 1)])


def post_cart(hook_path: str, body: bytes, content_type: str = "application/x-www-form-urlencoded"):  # type: ignore[no-untyped-def]
    """POST as the webshop's auto-submitting form does: cross-site, so no session cookie and no CSRF token."""
    return Client(enforce_csrf_checks=True).generic("POST", hook_path, body, content_type=content_type)
