"""End to end in a real browser: log in on 127.0.0.1, shop on localhost, transfer, see the cart.

Drives Debian's Chromium through Playwright for Python. Where no Chromium is installed the test is skipped with
a message that says how to install one (`.ci/run` installs it, so CI always runs it).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from dataclasses import dataclass

import pytest

from ocilink.core.servers import ServerGroup

CHROMIUM = os.environ.get("OCILINK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium found: install Debian's package (`apt-get install chromium`) or set OCILINK_CHROMIUM",
    ),
]


@dataclass(frozen=True)
class Demo:
    platform: str
    shop: str


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def servers(transactional_db, settings, tmp_path):  # type: ignore[no-untyped-def]
    """What `ocilink demo` runs: the platform, the demo webshop, the supplier inbox and a worker."""
    from django.core.wsgi import get_wsgi_application

    from ocilink.demo_webshop.seed import seed_demo
    from ocilink.demo_webshop.supplier_inbox import start_supplier_inbox
    from ocilink.demo_webshop.wsgi import webshop_application
    from ocilink.orders.worker import WorkerThread

    platform_port, shop_port = _free_port("127.0.0.1"), _free_port("127.0.0.1")
    settings.DEMO_INBOX_DIR = tmp_path / "inbox"
    inbox = start_supplier_inbox(folder=settings.DEMO_INBOX_DIR, https_port=0, sftp_port=0, smtp_port=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.smtp.port
    seed_demo(webshop_url=f"http://localhost:{shop_port}/oci/login/", inbox=inbox.details)
    app = get_wsgi_application()
    group = ServerGroup([(app, "127.0.0.1", platform_port), (webshop_application(app), "127.0.0.1", shop_port)])
    group.start()
    worker = WorkerThread(interval=0.2)
    worker.start()
    yield Demo(platform=f"http://127.0.0.1:{platform_port}", shop=f"http://localhost:{shop_port}")
    worker.stop()
    group.stop()
    inbox.stop()


@pytest.fixture
def page():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        context.close()
        browser.close()


def _add(page, sku: str, quantity: str) -> None:  # type: ignore[no-untyped-def]
    row = page.locator(f'tr[data-sku="{sku}"]')
    row.locator('input[name="quantity"]').fill(quantity)
    row.get_by_role("button", name="Add to cart").click()
    page.wait_for_load_state()


def test_buyer_shops_on_another_origin_and_the_cart_comes_back(servers, page):
    page.goto(f"{servers.platform}/accounts/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", "buyer-demo-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/suppliers/$"))

    page.locator("tr", has_text="Demo Office Supplies").get_by_role("button", name="Shop").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/$"))
    assert "Demo Municipality" in page.content()

    _add(page, "OF-1001", "3")  # Büroklammern 26/6 (Größe M), 1.95 per box
    _add(page, "OF-1002", "500")  # copy paper, 4.50 per 100 sheets
    _add(page, "OF-1010", "1")  # chair with a long text
    page.click("#shop-cart-link")
    page.get_by_role("button", name="Transfer cart").click()

    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/cart/$"))
    rows = page.locator("table.cart tbody tr")
    assert rows.count() == 3
    descriptions = [rows.nth(i).locator("td.description").inner_text() for i in range(3)]
    amounts = [rows.nth(i).locator("td.amount").inner_text().strip() for i in range(3)]
    assert descriptions[0].startswith("Büroklammern 26/6 (Größe M)")
    assert descriptions[1].startswith("Copy paper A4 80 g/m², white")
    assert descriptions[2].startswith("Ergonomic office chair “Sitwell Pro”")
    assert "synchronous mechanism" in descriptions[2]
    assert amounts == ["EUR 5.85", "EUR 22.50", "EUR 389.00"]
    # The ledger translation table booked each line by its UNSPSC code (MATGROUP): paper clips and copy paper to
    # office supplies, the chair to furniture.
    accounts = [rows.nth(i).locator("td.ledger select option:checked").inner_text() for i in range(3)]
    assert accounts == ["4100 Office supplies", "4100 Office supplies", "4300 Furniture and equipment"]
    assert page.locator("td.total").inner_text().strip() == "EUR 417.35"
    assert "3 lines from Demo Office Supplies were added to your cart." in page.content()

    # Submit: the order goes to the supplier's HTTPS endpoint as cXML, and arrives.
    page.fill("#id_reference", "E2E-1")
    page.click("#submit-order")
    page.wait_for_url(re.compile(r"/orders/$"))
    row = page.locator("table.orders tbody tr").first
    number = row.locator("a").inner_text()
    for _ in range(100):
        if "To be received" in row.inner_text():
            break
        page.wait_for_timeout(200)
        page.reload()
        row = page.locator("table.orders tbody tr").first
    assert "To be received" in row.inner_text()
    row.locator("a").click()
    assert "The supplier accepted the order" in page.locator("#status-note").inner_text()
    assert page.locator("table.attempts tbody tr").count() == 1

    page.goto(f"{servers.shop}/inbox/")
    assert number in page.locator("table.inbox").first.inner_text()


@pytest.fixture
def wrong_webshop_password(servers):  # type: ignore[no-untyped-def]
    """Before the browser starts: Playwright's event loop forbids synchronous database calls in the test."""
    from ocilink.connections.models import Connection
    from ocilink.connections.services import oci_credential_set

    connection = Connection.objects.get(name="Demo Office Supplies webshop")
    oci_credential_set(connection=connection, delivery_address=None, username="demo-org", password="x")


def test_a_wrong_webshop_password_gets_a_page_the_buyer_understands(servers, wrong_webshop_password, page):
    page.goto(f"{servers.platform}/accounts/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", "buyer-demo-2026")
    page.get_by_role("button", name="Log in").click()

    page.locator("tr", has_text="Demo Office Supplies").get_by_role("button", name="Shop").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/oci/login/$"))

    assert "We could not log you in" in page.content()
    assert "Ask your purchasing administrator" in page.content()
