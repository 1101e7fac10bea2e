"""The public supplier integration guide (generated from the code) and the supplier self-test against the real demo
webshop, served on its own origin while the platform runs on pytest-django's live server."""

from __future__ import annotations

import html
import re
import socket
from urllib.parse import urlencode

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from ocilink.dispatch.registry import channel_classes
from ocilink.protocols.cxml.tests.conftest import DTD_VERSION, find_cxml_dtd
from ocilink.protocols.oci import DEFAULT_UNIT_ALIASES, FIELDS, build_punchout_fields
from ocilink.punchout import trials
from ocilink.punchout.models import PunchoutSession

_INPUT = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _guide() -> str:
    response = Client().get(reverse("guide:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_guide_is_public_and_lists_every_field_of_the_codecs_table():
    body = _guide()

    for field in FIELDS:
        row = re.search(rf'<tr data-field="{field.name}">(.*?)</tr>', body, re.DOTALL)
        assert row is not None, field.name
        assert html.escape(field.wire_name(1)) in row.group(1)
        assert html.escape(field.description, quote=True) in row.group(1)
        if field.max_length is not None:
            assert f'<td class="num">{field.max_length}</td>' in row.group(1)
    assert len(re.findall(r"<tr data-field=", body)) == len(FIELDS)


def test_the_guide_lists_every_parameter_ocilink_sends_in_its_order():
    body = _guide()

    table = re.search(r'<table id="punchout-parameters">(.*?)</table>', body, re.DOTALL).group(1)
    names = [html.unescape(n) for n in re.findall(r"<tr><td><code>([^<]*)</code>", table)]
    expected = [name for name, _ in build_punchout_fields(hook_url="x", username="u", password="p")]
    assert [n for n in names if n != "LANGU"] == expected
    assert "http://testserver/punchout/return/TOKEN/" in table


def test_the_guide_lists_every_ordering_method_with_its_settings():
    body = _guide()

    for key, channel in channel_classes().items():
        section = re.search(rf'<div class="card" id="method-{key}">(.*?)</div>', body, re.DOTALL)
        assert section is not None, key
        assert f"<h3>{html.escape(channel.label)}</h3>" in section.group(1)
        for field in (*channel.config_fields, *channel.sensitive_fields):
            assert html.escape(field.label) in section.group(1)


def test_the_guide_lists_every_unit_alias_and_the_priceunit_rule():
    body = _guide()

    for alias in DEFAULT_UNIT_ALIASES:
        assert html.escape(alias) in body
    assert "with PRICEUNIT=100 and QUANTITY=500 gives a line amount of EUR 22.50" in body
    assert 'target="_top"' in html.unescape(re.search(r'<pre id="return-form">(.*?)</pre>', body, re.DOTALL).group(1))


def test_the_sample_order_request_in_the_guide_is_valid_against_the_dtd():
    from lxml import etree

    path = find_cxml_dtd()
    if path is None:
        pytest.skip(
            f"cXML.dtd {DTD_VERSION} not found: set OCILINK_CXML_DTD_DIR or provide "
            f"../shared/reference/cxml-dtd/{DTD_VERSION}/cXML.dtd next to the project root"
        )
    body = _guide()
    shown = html.unescape(re.search(r'<pre id="sample-order-request">(.*?)</pre>', body, re.DOTALL).group(1))

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.fromstring(shown.encode("utf-8"), parser)
    dtd = etree.DTD(str(path))

    assert dtd.validate(document), dtd.error_log.filter_from_errors()
    assert document.find("Request/OrderRequest/OrderRequestHeader").get("orderID") == "PO-2026-000123"
    assert len(document.findall("Request/OrderRequest/ItemOut")) == 2


@pytest.mark.django_db
def test_the_self_test_form_refuses_bad_input_and_makes_nothing():
    response = Client().post(
        reverse("guide:selftest"),
        {
            "webshop_url": "ftp://shop.example/",
            "method": "POST",
            "username_field": "USERNAME",
            "password_field": "PASSWORD",
            "extra_params": "not a pair",
            "username": "u",
            "password": "p",
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Line 1 is not of the form NAME=value." in body
    assert PunchoutSession.objects.trials().count() == 0


@pytest.mark.django_db
def test_the_self_test_form_is_capped_per_client(settings):
    client = Client(REMOTE_ADDR="203.0.113.9")
    data = {
        "webshop_url": "https://shop.example/oci",
        "method": "POST",
        "username_field": "USERNAME",
        "password_field": "PASSWORD",
        "extra_params": "",
        "username": "u",
        "password": "p",
    }
    for _ in range(trials.SELFTEST_MAX_PER_CLIENT_PER_HOUR):
        assert client.post(reverse("guide:selftest"), data).status_code == 302

    refused = client.post(reverse("guide:selftest"), data)

    assert refused.status_code == 429
    assert "Too many self-tests were started in the last hour." in refused.content.decode()
    assert PunchoutSession.objects.trials().count() == trials.SELFTEST_MAX_PER_CLIENT_PER_HOUR


# -- the self-test against the real demo webshop -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_webshop(transactional_db):  # type: ignore[no-untyped-def]
    """The demo webshop on its own origin (127.0.0.1, while the live server is on localhost), with a test account."""
    from django.core.wsgi import get_wsgi_application

    from ocilink.core.servers import ServerGroup
    from ocilink.demo_webshop.models import ShopAccount
    from ocilink.demo_webshop.wsgi import webshop_application

    account = ShopAccount(username="selftest-supplier", customer_name="Self-test")
    account.set_password("Shop-Test-Pw-1")
    account.save()
    port = _free_port()
    group = ServerGroup([(webshop_application(get_wsgi_application()), "127.0.0.1", port)])
    group.start()
    yield f"http://127.0.0.1:{port}"
    group.stop()


def _form(page: httpx.Response) -> tuple[str, str, list[tuple[str, str]]]:
    """(method, action, fields) of the auto-submitting form of a page."""
    match = re.search(r'<form id="[^"]*" method="([^"]*)" action="([^"]*)"', page.text)
    assert match is not None, page.text[:500]
    fields = [(html.unescape(n), html.unescape(v)) for n, v in _INPUT.findall(page.text)]
    return match.group(1), html.unescape(match.group(2)), fields


def _post_form(client: httpx.Client, url: str, fields: list[tuple[str, str]]) -> httpx.Response:
    return client.post(
        url, content=urlencode(fields).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def test_a_supplier_self_test_runs_through_the_real_demo_webshop(live_server, demo_webshop):
    with httpx.Client(follow_redirects=True, timeout=30) as supplier:
        form_page = supplier.get(f"{live_server.url}/guide/self-test/")
        started = supplier.post(
            f"{live_server.url}/guide/self-test/",
            data={
                "csrfmiddlewaretoken": _CSRF.search(form_page.text).group(1),
                "webshop_url": f"{demo_webshop}/oci/login/",
                "method": "POST",
                "username_field": "USERNAME",
                "password_field": "PASSWORD",
                "extra_params": "",
                "username": "selftest-supplier",
                "password": "Shop-Test-Pw-1",
            },
        )
        assert started.status_code == 200
        assert started.headers["Referrer-Policy"] == "no-referrer"
        method, action, login_fields = _form(started)
        assert (method, action) == ("post", f"{demo_webshop}/oci/login/")

        catalogue = _post_form(supplier, action, login_fields)  # the browser's auto-submit
        assert catalogue.status_code == 200, catalogue.text[:300]
        assert "Self-test" in catalogue.text
        supplier.post(
            f"{demo_webshop}/add/OF-1002/",
            data={"quantity": "500", "csrfmiddlewaretoken": _CSRF.search(catalogue.text).group(1)},
        )
        cart = supplier.get(f"{demo_webshop}/cart/")
        transfer = supplier.post(
            f"{demo_webshop}/cart/transfer/", data={"csrfmiddlewaretoken": _CSRF.search(cart.text).group(1)}
        )
        _method, hook_url, cart_fields = _form(transfer)

        with httpx.Client(timeout=30) as cross_site:  # the return POST is cross-site: no cookie goes with it
            returned = _post_form(cross_site, hook_url, cart_fields)
        assert returned.status_code == 303
        # The browser follows the 303 with a top-level GET, which carries its own (SameSite=Lax) session cookie.
        report = supplier.get(f"{live_server.url}{returned.headers['Location']}")

    assert report.status_code == 200
    assert "/punchout/test/" in str(report.url)
    assert "Copy paper A4 80 g/m², white" in report.text
    assert "4.50 EUR / 100" in report.text
    assert "22.50 EUR" in report.text
    assert "Shop-Test-Pw-1" not in report.text
    test = PunchoutSession.objects.trials().get()
    assert (test.reference, test.organization, test.cart_return.outcome) == ("supplier-selftest", None, "checked")
    assert test.cart_return.report["ok"] is True
    assert [line["net_amount"] for line in test.cart_return.report["lines"]] == ["22.50"]
