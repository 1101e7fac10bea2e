"""What the order page says about a try, sent through the real channels to the real test servers.

A customer reads one plain sentence; an answer that is not cXML is shown as it came; the technical detail of a
failed connection is for the platform's staff only.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ocilink.accounts.models import PlatformRole, PlatformStaff
from ocilink.accounts.selectors import SESSION_ORGANIZATION_KEY
from ocilink.demo_webshop.inbox import CxmlInbox, InboxStore, Reply, TlsMaterial
from ocilink.orders.dispatches import dispatch_send
from ocilink.orders.models import DispatchAttempt, PurchaseOrder
from ocilink.orders.states import DispatchStatus, PurchaseOrderStatus
from tests.conftest import Shop
from tests.factories import MembershipFactory, UserFactory
from tests.orders.conftest import fill_cart
from tests.raw_files import raw_bytes

pytestmark = pytest.mark.django_db

WEB_PAGE = (
    b"<html><head><title>Supplier portal</title></head><body><h1>Please sign in</h1>"
    b"<script>alert('x')</script><p>Session expired.</p></body></html>"
)


@pytest.fixture
def supplier_server(tmp_path: Path, tls_material: TlsMaterial) -> Iterator[CxmlInbox]:
    with CxmlInbox(InboxStore(tmp_path / "inbox"), certificate=tls_material) as inbox:
        yield inbox


def connect_by_cxml(shop: Shop, url: str, ca_pem: str) -> None:
    connection = shop.connection
    connection.ordering_method = "cxml_https"
    connection.ordering_settings = {
        "order_url": url,
        "from_domain": "NetworkID",
        "from_identity": "buyer-1",
        "to_domain": "NetworkID",
        "to_identity": "supplier-1",
        "ca_bundle": ca_pem,
        "timeout_seconds": 2,
    }
    connection.set_ordering_secrets({"shared_secret": "s3cret"})
    connection.save()


def place_order(shop: Shop) -> tuple[Client, PurchaseOrder]:
    """The buyer fills a cart and submits it; one worker try sends it."""
    buyer = Client()
    buyer.force_login(shop.user)
    fill_cart(buyer, shop.supplier.pk)
    buyer.post(reverse("requisitions:submit"), follow=True)
    order = PurchaseOrder.objects.get()
    dispatch_send(dispatch_id=order.dispatch.pk, worker_id="w1")
    order.refresh_from_db()
    return buyer, order


def staff_client(shop: Shop) -> Client:
    user = UserFactory()
    PlatformStaff.objects.create(user=user, role=PlatformRole.SUPPORT)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_ORGANIZATION_KEY] = shop.organization.pk
    session.save()
    return client


def page_of(client: Client, order: PurchaseOrder, **headers: Any) -> str:
    response = client.get(reverse("orders:detail", args=[order.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_an_answer_that_is_not_cxml_fails_the_order_and_the_page_shows_what_came_back(
    shop: Shop, supplier_server: CxmlInbox
) -> None:
    # given a supplier's server that answers orders with a web page
    connect_by_cxml(shop, supplier_server.url, supplier_server.ca_pem)
    supplier_server.script([Reply.raw(200, "text/html; charset=utf-8", WEB_PAGE)])

    # when
    buyer, order = place_order(shop)

    # then the order needs a person, and the page says what the server answered, escaped
    assert order.status == PurchaseOrderStatus.FAILED
    assert order.dispatch.status == DispatchStatus.FAILED
    page = page_of(buyer, order)
    assert (
        f"The supplier&#x27;s server answered HTTP 200 with text/html ({len(WEB_PAGE)} bytes) instead of a cXML "
        "Response." in page
    )
    assert "The start of what the supplier's server answered (HTTP 200)" in page
    assert f"<pre>{html.escape(WEB_PAGE.decode())}</pre>" in page
    assert "<script>alert" not in page
    attempt = DispatchAttempt.objects.get()
    assert raw_bytes(attempt.response) == WEB_PAGE  # the whole answer, behind the attempt's "answer" link
    assert reverse("orders:attempt_payload", args=[order.pk, 1, "response"]) in page


def test_the_page_says_it_in_dutch_too(shop: Shop, supplier_server: CxmlInbox) -> None:
    # given
    connect_by_cxml(shop, supplier_server.url, supplier_server.ca_pem)
    supplier_server.script([Reply.raw(200, "text/html", WEB_PAGE)])
    buyer, order = place_order(shop)

    # when
    with translation.override("nl"):
        page = page_of(buyer, order, HTTP_ACCEPT_LANGUAGE="nl")

    # then
    assert f"antwoordde met HTTP 200 met text/html ({len(WEB_PAGE)} bytes) in plaats van een cXML-Response" in page


def test_a_failure_to_connect_shows_its_technical_detail_to_staff_only(shop: Shop, closed_port: int) -> None:
    # given a supplier's server where nothing listens
    connect_by_cxml(shop, f"https://127.0.0.1:{closed_port}/cxml/orders", "")

    # when
    buyer, order = place_order(shop)

    # then the order will be retried, and the buyer reads the one sentence for any failure to connect
    assert order.dispatch.status == DispatchStatus.RETRY_WAIT
    customer_page = page_of(buyer, order)
    assert f"Could not connect to the supplier&#x27;s server at 127.0.0.1:{closed_port}." in customer_page
    assert "refused" not in customer_page.lower()
    assert "Technical detail" not in customer_page
    duration = DispatchAttempt.objects.get().duration_ms
    assert f'<td class="num">{duration} ms</td>' not in customer_page
    # while the platform's staff see what happened
    staff_page = page_of(staff_client(shop), order)
    assert "Technical detail, for platform staff only" in staff_page
    assert "failure: refused" in staff_page
    assert f"{duration} ms" in staff_page


def test_a_private_order_url_is_refused_and_the_order_fails(shop: Shop, settings: Any) -> None:
    # given a platform that allows no private network, and an order URL that names the cloud's metadata service
    settings.ORDERING_ALLOW_PRIVATE_TARGETS = []
    connect_by_cxml(shop, "https://169.254.169.254/latest/meta-data/", "")

    # when
    buyer, order = place_order(shop)

    # then
    assert order.status == PurchaseOrderStatus.FAILED
    assert "points to an address inside a private network (169.254.169.254)" in page_of(buyer, order)


def test_membership_of_staff_also_works_for_a_member_with_the_staff_flag(shop: Shop, closed_port: int) -> None:
    # given a member of the organization who is also platform staff by Django's flag
    connect_by_cxml(shop, f"https://127.0.0.1:{closed_port}/cxml/orders", "")
    _, order = place_order(shop)
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, organization=shop.organization)
    client = Client()
    client.force_login(user)

    # then
    assert "failure: refused" in page_of(client, order)
