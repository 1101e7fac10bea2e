"""/metrics: off unless allowed; requests by method, route and status with their duration, added up over the
server's processes; the dispatch queue and the cart returns from the database."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from ocilink.core import metrics
from ocilink.core.metrics import Family
from ocilink.orders.dispatches import dispatch_send
from ocilink.orders.models import Dispatch
from tests.orders.conftest import buyer, fake_channel, fill_cart, ordering_shop  # noqa: F401  (fixtures)
from tests.punchout.helpers import cart_body, post_cart, start_punchout

from .server_process import serve

BEARER = "scrape-token-7d1f"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: Client | None = None) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = (client or Client()).get("/metrics")
    assert answer.status_code == 200, answer.status_code
    assert answer["Content-Type"].startswith("text/plain; version=")
    return samples(answer.content.decode())


# ---- who may read them ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_off_by_default():
    assert Client().get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_answer_only_to_allowed_addresses(settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "::1"]

    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200


@pytest.mark.django_db
def test_metrics_answer_only_with_the_token(settings):
    settings.METRICS_TOKEN = BEARER

    assert Client().get("/metrics").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {BEARER}").status_code == 200


@pytest.mark.django_db
def test_with_addresses_and_token_both_must_match(settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    settings.METRICS_TOKEN = BEARER

    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {BEARER}").status_code == 403
    assert Client().get("/metrics").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {BEARER}").status_code == 200


# ---- what they say ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_method_route_and_status_with_their_duration(settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    client = Client()
    before = scrape()

    client.get("/healthz")
    client.get("/healthz")
    client.post("/healthz")
    client.get("/no-such-page/")
    client.get("/static/ocilink/style.css")
    after = scrape()

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("ocilink_http_requests_total", method="GET", route="/healthz", status="200") == 2
    assert grew("ocilink_http_requests_total", method="POST", route="/healthz", status="405") == 1
    assert grew("ocilink_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert grew("ocilink_http_requests_total", method="GET", route="/static/", status="200") == 1
    assert grew("ocilink_http_request_duration_seconds_count", method="GET", route="/healthz") == 2
    assert grew("ocilink_http_request_duration_seconds_bucket", method="GET", route="/healthz", le="+Inf") == 2
    assert grew("ocilink_http_request_duration_seconds_sum", method="GET", route="/healthz") > 0
    # The route is the URL pattern, never the path: a token or an id does not make a series of its own.
    routes = {dict(labels).get("route", "") for _, labels in after}
    assert {route for route in routes if "punchout/return/" in route} <= {"/punchout/return/<str:token>/"}


@pytest.mark.django_db
def test_cart_returns_are_counted_by_result(shop, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    buyer_client = Client()
    buyer_client.force_login(shop.user)
    _, imported = start_punchout(buyer_client, shop.supplier.pk)
    _, rejected = start_punchout(buyer_client, shop.supplier.pk)
    post_cart(imported, cart_body(2))
    post_cart(imported, cart_body(2))  # a double click: a duplicate
    post_cart(rejected, cart_body(1, QUANTITY="lots"))

    figures = scrape()

    def returns(result: str) -> float:
        return figures[("ocilink_cart_returns_total", (("result", result),))]

    assert (returns("imported"), returns("duplicate"), returns("rejected")) == (1, 1, 1)
    assert returns("expired") == 0  # every result is there, also at 0
    assert figures[("ocilink_metrics_collector_up", (("collector", "cart_returns"),))] == 1


@pytest.mark.django_db
def test_the_dispatch_queue_its_oldest_order_and_the_attempts_by_outcome(ordering_shop, buyer, fake_channel, settings):  # noqa: F811
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    fill_cart(buyer, ordering_shop.supplier.pk)
    buyer.post("/cart/submit/")
    fill_cart(buyer, ordering_shop.supplier.pk)
    buyer.post("/cart/submit/")
    first, second = Dispatch.objects.order_by("pk")
    Dispatch.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    waiting = scrape()
    fake_channel.script = ["transient"]
    dispatch_send(dispatch_id=first.pk, worker_id="w1")  # fails for now: waits to retry
    dispatch_send(dispatch_id=second.pk, worker_id="w1")  # delivered
    after = scrape()

    def depth(figures: dict, status: str) -> float:
        return figures[("ocilink_dispatch_queue_depth", (("status", status),))]

    assert depth(waiting, "pending") == 2
    assert 3600 <= waiting[("ocilink_dispatch_oldest_waiting_seconds", ())] < 3700
    assert (depth(after, "pending"), depth(after, "retry_wait"), depth(after, "failed")) == (0, 1, 0)
    assert after[("ocilink_dispatch_oldest_waiting_seconds", ())] == 0  # the retry is not due yet
    attempts = {
        dict(labels)["outcome"]: value
        for (name, labels), value in after.items()
        if name == "ocilink_dispatch_attempts_total"
    }
    assert attempts == {"sending": 0, "sent": 1, "transient": 1, "permanent": 0, "crashed": 0}


@pytest.mark.django_db
def test_a_failing_collector_costs_only_its_own_figures(settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]

    def broken() -> list[Family]:
        raise RuntimeError("the database went away")

    metrics.register_collector("broken", broken)
    try:
        figures = scrape()
    finally:
        metrics._collectors.pop("broken")

    assert figures[("ocilink_metrics_collector_up", (("collector", "broken"),))] == 0
    assert figures[("ocilink_metrics_collector_up", (("collector", "dispatch"),))] == 1
    assert ("ocilink_dispatch_oldest_waiting_seconds", ()) in figures


# ---- several processes ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_figures_of_every_process_add_up_whichever_process_answers(tmp_path):
    with serve(tmp_path, "--workers", "2", "--threads", "1", METRICS_TOKEN=BEARER, LOG_FORMAT="json") as served:
        sent, processes = 0, set()
        # A new connection each time, so both processes take some (the kernel hands them out); at most 200.
        while len(processes) < 2 and sent < 200:
            for _ in range(10):
                assert httpx.get(f"{served.base_url}/accounts/login/", timeout=10).status_code == 200
                sent += 1
            processes = {
                json.loads(line)["process"]
                for line in served.log_lines()
                if '"logger": "ocilink.access"' in line and '"/accounts/login/"' in line
            }
        scrapes = [
            samples(httpx.get(f"{served.base_url}/metrics", headers={"Authorization": f"Bearer {BEARER}"}).text)
            for _ in range(6)
        ]

    assert len(processes) == 2, "one process served every request"
    key = ("ocilink_http_requests_total", (("method", "GET"), ("route", "/accounts/login/"), ("status", "200")))
    assert [figures[key] for figures in scrapes] == [sent] * 6
