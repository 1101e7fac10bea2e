"""In a real browser, which enforces the Content-Security-Policy: the pages work without inline script.

The punchout start page's auto-submit is covered by ``test_punchout_browser.py``; here the language switch (an
event handler that moved into the platform's script file) and the lockout page, with no policy violation reported.
"""

from __future__ import annotations

import re
import socket

import pytest

from ocilink.core.servers import ServerGroup

from .test_punchout_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium found: install Debian's package (`apt-get install chromium`) or set OCILINK_CHROMIUM",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def platform(transactional_db):  # type: ignore[no-untyped-def]
    from django.core.wsgi import get_wsgi_application

    from tests.factories import UserFactory

    UserFactory(username="lena")
    port = _free_port()
    group = ServerGroup([(get_wsgi_application(), "127.0.0.1", port)])
    group.start()
    yield f"http://127.0.0.1:{port}"
    group.stop()


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(20_000)
        violations: list[str] = []

        def note_violation(message):  # type: ignore[no-untyped-def]
            if "Content Security" in message.text:
                violations.append(message.text)

        page.on("console", note_violation)
        yield page, violations
        context.close()
        browser.close()


def test_the_language_switch_works_under_the_policy(platform, browser_page):
    page, violations = browser_page
    page.goto(f"{platform}/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in to ocilink"

    page.select_option("select[name=language]", "nl")
    page.locator("h1", has_text="Inloggen bij ocilink").wait_for()

    assert violations == []


def test_the_lockout_page_in_the_browser(platform, browser_page, settings):
    page, violations = browser_page
    page.goto(f"{platform}/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("#id_username", "lena")
        page.fill("#id_password", "wrong")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        if "Logging in is paused" in page.content():
            break

    assert page.locator("h1").inner_text() == "Logging in is paused"
    assert re.search(r"paused for 15 minutes", page.locator("#locked-out").inner_text())
    assert violations == []
