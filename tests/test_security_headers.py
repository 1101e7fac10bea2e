"""Production headers: a Content-Security-Policy on every page, pages without inline script or style, HSTS.

The policy allows scripts and styles from the platform's own files only, so a page with an inline ``<script>``, an
``on…=`` handler or a ``style=`` attribute would break in the browser: every template is scanned for them, and a
few pages of each kind are rendered and parsed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

import ocilink
from ocilink.accounts.models import Role
from ocilink.punchout import trials
from tests.factories import MembershipFactory, UserFactory

# Script elements that hold data, not code: the browser never runs them, so the policy does not concern them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src") and (values.get("type") or "") not in DATA_SCRIPT_TYPES:
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name}= on <{tag}>")


def inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


def _assert_protected(response) -> None:  # type: ignore[no-untyped-def]
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert inline_code(response.content.decode()) == []


def test_the_policy_allows_only_the_platforms_own_scripts_and_styles():
    directives = dict(d.strip().split(" ", 1) for d in settings.CONTENT_SECURITY_POLICY.split(";"))

    assert directives["default-src"] == "'self'"
    assert "script-src" not in directives  # follows default-src
    assert "style-src" not in directives  # follows default-src
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in settings.CONTENT_SECURITY_POLICY


# ---- every template, as written --------------------------------------------------------------------------------

TEMPLATES = sorted(Path(ocilink.__file__).parent.glob("*/templates/**/*.html"))
INLINE_PATTERNS = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "on…= handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"=\s*[\"']?\s*javascript:", re.I),
}


def test_templates_are_found():
    names = {path.name for path in TEMPLATES}
    assert {"base.html", "start.html", "test_start.html", "transfer.html", "locked_out.html"} <= names


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(Path(ocilink.__file__).parent)))
def test_no_template_has_inline_script_or_style(template: Path):
    text = template.read_text(encoding="utf-8")

    found = [what for what, pattern in INLINE_PATTERNS.items() if pattern.search(text)]

    assert found == []


# ---- rendered pages ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_carry_the_policy_and_no_inline_code():
    client = Client()

    _assert_protected(client.get(reverse("login")))
    _assert_protected(client.get("/admin/login/"))
    _assert_protected(client.get(reverse("guide:index")))
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert not_found["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_the_lockout_page_carries_the_policy_and_no_inline_code():
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})

    assert response.status_code == 429
    _assert_protected(response)


def test_a_buyers_pages_carry_the_policy_and_no_inline_code(shop):
    client = Client()
    client.force_login(shop.user)

    _assert_protected(client.get(reverse("suppliers:list")))
    _assert_protected(client.get(reverse("requisitions:cart")))
    _assert_protected(client.get(reverse("orders:list")))
    start = client.post(reverse("punchout:start", args=[shop.supplier.pk]))
    assert start.status_code == 200
    _assert_protected(start)
    assert re.search(r'<form id="punchout" [^>]* data-autosubmit>', start.content.decode())


def test_the_test_punchout_start_page_carries_the_policy_and_auto_submits_by_a_script_file(shop):
    admin = UserFactory()
    MembershipFactory(user=admin, organization=shop.organization, role=Role.ADMINISTRATOR)
    test = trials.trial_create(
        organization=shop.organization, connection=shop.connection, reference="onboarding-step:1", created_by=admin
    )
    client = Client()
    client.force_login(admin)

    response = client.get(reverse("punchout:test_start", args=[test.pk]))

    assert response.status_code == 200
    _assert_protected(response)
    page = response.content.decode()
    assert re.search(r'<form id="test-punchout" [^>]* data-autosubmit>', page)
    assert '<script src="/static/ocilink/page.js" defer></script>' in page


def test_the_django_admin_carries_the_policy_and_no_inline_code(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    _assert_protected(client.get("/admin/"))
    _assert_protected(client.get("/admin/auth/user/add/"))


def test_the_script_file_is_served():
    response = Client().get("/static/ocilink/page.js")

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "data-autosubmit" in body


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_configured(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = Client().get(reverse("login"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_no_hsts_by_default():
    response = Client().get(reverse("login"), secure=True)

    assert "Strict-Transport-Security" not in response
