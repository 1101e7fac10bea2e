"""`ocilink serve`: several processes, a graceful stop on SIGTERM, and logs that follow a request (the real server
as a subprocess, over real sockets)."""

from __future__ import annotations

import gc
import json
import logging
import re
import secrets
import threading
import time

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from ocilink.core.servers import default_workers, freeze_loaded
from ocilink.orders.models import Dispatch, PurchaseOrder
from ocilink.punchout.models import CartReturn
from tests.conftest import make_shop
from tests.punchout.helpers import cart_body, post_cart, start_punchout

from .server_process import SilentDatabase, children_of, serve

pytestmark = pytest.mark.django_db(transaction=True)


def test_what_the_server_loaded_is_left_out_of_the_collectors_full_collections():
    loaded = ["made before the workers are forked"]
    try:
        frozen = freeze_loaded()
        made_later = ["made by a request"]
        tracked = {id(thing) for thing in gc.get_objects()}

        assert frozen > 10_000  # Django, ocilink and the views of every URL pattern
        assert id(loaded) not in tracked
        assert id(made_later) in tracked
    finally:
        gc.unfreeze()


def test_serve_starts_the_processes_it_is_told_and_a_sigterm_stops_it_cleanly(tmp_path):
    with serve(tmp_path, "--workers", "3", "--threads", "1") as served:
        assert "3 processes x 1 threads" in served.banner
        assert httpx.get(f"{served.base_url}/healthz", timeout=10).json() == {"status": "ok"}
        deadline = time.monotonic() + 30  # the banner comes when it listens, the processes right after
        while len(children_of(served.process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(children_of(served.process.pid)) == 3

        code = served.stop()

        assert code == 0
        assert "Stopped." in served.stdout()
        assert children_of(served.process.pid) == []
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{served.base_url}/healthz", timeout=5)


def test_a_request_under_way_is_answered_when_sigterm_arrives(tmp_path):
    # /readyz against a database that never answers takes a second: long enough to stop the server meanwhile.
    database = SilentDatabase()
    try:
        with serve(tmp_path, "--workers", "1", "--threads", "2", DATABASE_URL=database.url) as served:
            answers: list[httpx.Response] = []
            asking = threading.Thread(
                target=lambda: answers.append(httpx.get(f"{served.base_url}/readyz", timeout=30)), daemon=True
            )
            asking.start()
            assert database.connected.wait(10), "the readiness check never reached the database"

            code = served.stop()
            asking.join(10)

            assert code == 0
            assert [answer.status_code for answer in answers] == [503]
            assert answers[0].json()["checks"]["database"]["error"] == "no answer within one second"
    finally:
        database.close()


def test_the_default_number_of_processes_follows_the_cores():
    assert default_workers(threads=4, cpus=2) == 2
    assert default_workers(threads=4, cpus=8) == 8
    assert default_workers(threads=4, cpus=1) == 2  # never one: a stuck process would stop everything
    assert default_workers(threads=1, cpus=2) == 5  # one request at a time per process: 2 x cores + 1


def test_every_log_line_of_a_request_is_json_with_the_proxys_request_id(tmp_path):
    with serve(tmp_path, "--workers", "1", LOG_FORMAT="json", REQUEST_ID_FROM_PROXY="1") as served:
        login = f"{served.base_url}/accounts/login/"
        given = httpx.get(login, headers={"X-Request-ID": "lb-7f3a9c"}, timeout=10)
        forged = httpx.get(login, headers={"X-Request-ID": 'x" forged="y'}, timeout=10)
        probe = httpx.get(f"{served.base_url}/healthz", headers={"X-Request-ID": "probe-1"}, timeout=10)
        missing = httpx.get(f"{served.base_url}/no-such-page/", headers={"X-Request-ID": "lb-404"}, timeout=10)
        served.stop()
        lines = [json.loads(line) for line in served.log_lines()]

    assert given.headers["X-Request-ID"] == "lb-7f3a9c"
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])  # not taken: a new one instead
    assert probe.headers["X-Request-ID"] == "probe-1"
    access = [line for line in lines if line["logger"] == "ocilink.access"]
    # One line per request; a health check that passes makes none (a load balancer asks every few seconds).
    assert [(line["request_id"], line["route"], line["status"]) for line in access] == [
        ("lb-7f3a9c", "/accounts/login/", 200),
        (forged.headers["X-Request-ID"], "/accounts/login/", 200),
        ("lb-404", "<unmatched>", 404),
    ]
    # Django's own line about the 404 comes after the middleware, and still carries the request's id.
    assert missing.status_code == 404
    assert [line["request_id"] for line in lines if line["logger"] == "django.request"] == ["lb-404"]
    assert {"time", "level", "process", "message", "duration_ms", "method", "path", "remote_addr"} <= set(access[0])
    # The server's own lines (start, stop) are JSON too, outside any request.
    assert any(line["logger"].startswith("gunicorn") and line["request_id"] == "-" for line in lines)


def test_a_request_id_from_the_client_is_not_taken_unless_the_proxy_is_trusted(db):
    answer = Client().get("/healthz", HTTP_X_REQUEST_ID="chosen-by-client")

    assert answer["X-Request-ID"] != "chosen-by-client"
    assert re.fullmatch(r"[0-9a-f]{32}", answer["X-Request-ID"])


def test_the_access_log_never_holds_the_hook_url_token_nor_the_query(db, caplog):
    shop = make_shop()
    buyer = Client()
    buyer.force_login(shop.user)
    _, hook_path = start_punchout(buyer, shop.supplier.pk)
    token = hook_path.rstrip("/").rsplit("/", 1)[1]

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ocilink.access"):
        post_cart(hook_path + "?PASSWORD=x", cart_body(1))

    lines = [record for record in caplog.records if record.name == "ocilink.access"]
    assert [record.getMessage().split()[:3] for record in lines] == [["POST", "/punchout/return/[redacted]/", "303"]]
    assert token not in caplog.text
    assert "PASSWORD" not in caplog.text
    assert lines[0].route == "/punchout/return/<str:token>/"  # type: ignore[attr-defined]


def test_grep_for_a_request_id_follows_a_cart_into_its_order_and_dispatch(tmp_path):
    shop = make_shop()
    connection = shop.connection
    connection.ordering_method = "email_pdf"
    connection.save()
    buyer = Client()
    buyer.force_login(shop.user)
    session, csrf = buyer.cookies["sessionid"].value, secrets.token_hex(16)
    cookies = {"sessionid": session, "csrftoken": csrf}
    # An id per request, as a proxy sets it: the webshop's return, then the buyer's submission.
    returned_id, submitted_id = "cart-" + secrets.token_hex(4), "submit-" + secrets.token_hex(4)

    with serve(tmp_path, "--workers", "2", REQUEST_ID_FROM_PROXY="1") as served:
        with httpx.Client(base_url=served.base_url, cookies=cookies, timeout=30) as browser:
            page = browser.post(f"/punchout/start/{shop.supplier.pk}/", data={"csrfmiddlewaretoken": csrf})
            hook_url = re.search(r'name="HOOK_URL" value="([^"]+)"', page.text)
            assert hook_url, page.text[:500]
            webshop = httpx.post(
                hook_url.group(1).replace("&amp;", "&"),
                content=cart_body(2),
                headers={"Content-Type": "application/x-www-form-urlencoded", "X-Request-ID": returned_id},
                timeout=30,
            )
            submitted = browser.post(
                reverse("requisitions:submit"),
                data={"csrfmiddlewaretoken": csrf},
                headers={"X-Request-ID": submitted_id},
            )
        served.stop()
        log = served.log_lines()

    assert (webshop.status_code, submitted.status_code) == (303, 302)
    cart_return = CartReturn.objects.get()
    purchase_order = PurchaseOrder.objects.get()
    dispatch = Dispatch.objects.get()
    of_return = [line for line in log if f"request_id={returned_id} " in line]
    of_submission = [line for line in log if f"request_id={submitted_id} " in line]
    order_request = purchase_order.order_request_id
    assert any(
        f"cart_return={cart_return.reference} " in line and f"outcome=imported order_request={order_request}" in line
        for line in of_return
    ), of_return
    placed = (
        f"purchase order placed: purchase_order={purchase_order.pk} number={purchase_order.number} "
        f"order_request={order_request} dispatch={dispatch.pk} method=email_pdf"
    )
    assert any(line.endswith(placed) for line in of_submission), of_submission
    # Each request's own access line closes its trail.
    assert any("ocilink.access" in line and "POST /cart/submit/ 302" in line for line in of_submission)


def test_the_demos_threaded_servers_still_serve_and_stop(db):
    # `ocilink demo` keeps its waitress servers in one process (core.servers.ServerGroup).
    from django.core.wsgi import get_wsgi_application

    from ocilink.core.servers import ServerGroup

    from .server_process import closed_port

    port = closed_port()
    group = ServerGroup([(get_wsgi_application(), "127.0.0.1", port)], threads=2)
    group.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        group.stop()
    assert answer.status_code == 200
