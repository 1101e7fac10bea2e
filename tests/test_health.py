"""/healthz and /readyz: for a load balancer, without login, without secrets or tenant data; the database, the key
ring and the dispatch queue decide readiness."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ocilink.orders.models import Dispatch
from tests.orders.conftest import buyer, fake_channel, fill_cart, ordering_shop  # noqa: F401  (fixtures)

from .server_process import SilentDatabase, closed_port, serve


def _no_secret_in(text: str) -> None:
    assert settings.SECRET_KEY not in text
    assert all(key not in text for key in settings.OCILINK_KEYRING)
    assert "secret-password" not in text  # the password in the DATABASE_URL of the unreachable database


# ---- the real server --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_server_with_its_database_and_key_ring_is_ready(tmp_path):
    with serve(tmp_path, "--workers", "1") as served:
        alive = httpx.get(f"{served.base_url}/healthz", timeout=10)
        ready = httpx.get(f"{served.base_url}/readyz", timeout=10)

    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "keyring": True,
        "dispatch_queue": True,
        "raw_documents": True,
    }
    assert body["checks"]["dispatch_queue"] == {"ok": True, "oldest_waiting_seconds": 0, "limit_seconds": 900}
    assert "no-cache" in ready.headers["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_without_a_database_the_server_is_alive_but_not_ready(tmp_path):
    url = f"postgres://ocilink:secret-password@127.0.0.1:{closed_port()}/ocilink"
    with serve(tmp_path, "--workers", "1", DATABASE_URL=url) as served:
        alive = httpx.get(f"{served.base_url}/healthz", timeout=10)
        ready = httpx.get(f"{served.base_url}/readyz", timeout=10)

    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert body["checks"]["keyring"] == {"ok": True}
    assert body["checks"]["dispatch_queue"] == {"ok": False, "error": "skipped: the database does not answer"}
    _no_secret_in(ready.text)


@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_answer_makes_readyz_fail_after_a_second(tmp_path):
    database = SilentDatabase()
    try:
        with serve(tmp_path, "--workers", "1", DATABASE_URL=database.url) as served:
            ready = httpx.get(f"{served.base_url}/readyz", timeout=30)
            alive = httpx.get(f"{served.base_url}/healthz", timeout=10)
    finally:
        database.close()

    assert database.connected.is_set()
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["error"] == "no answer within one second"
    assert alive.status_code == 200  # liveness never waits for the database
    _no_secret_in(ready.text)


# ---- in process -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_needs_no_login_and_takes_no_post():
    client = Client()

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_a_key_ring_that_does_not_load_makes_the_server_not_ready(settings):
    settings.OCILINK_KEYRING = ["not-a-fernet-key"]

    ready = Client().get("/readyz")

    assert ready.status_code == 503
    assert ready.json()["checks"]["keyring"] == {"ok": False, "error": "ImproperlyConfigured"}
    assert "not-a-fernet-key" not in ready.content.decode()


@pytest.mark.django_db
def test_an_order_that_waited_too_long_for_a_worker_makes_the_server_not_ready(ordering_shop, buyer, settings):  # noqa: F811
    fill_cart(buyer, ordering_shop.supplier.pk)
    buyer.post("/cart/submit/")
    dispatch = Dispatch.objects.get()
    Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=20))

    waiting = Client().get("/readyz")
    settings.READY_MAX_DISPATCH_WAIT_SECONDS = 0
    unchecked = Client().get("/readyz")
    settings.READY_MAX_DISPATCH_WAIT_SECONDS = 30 * 60
    within = Client().get("/readyz")

    assert waiting.status_code == 503
    check = waiting.json()["checks"]["dispatch_queue"]
    assert check["ok"] is False
    assert 20 * 60 <= check["oldest_waiting_seconds"] < 21 * 60
    assert check["limit_seconds"] == 900
    assert unchecked.status_code == 200
    assert unchecked.json()["checks"]["dispatch_queue"]["limit_seconds"] == "off"
    assert within.status_code == 200
    # Counts and ages only: nothing of the organization or its order.
    assert ordering_shop.organization.name not in waiting.content.decode()
    assert dispatch.purchase_order.number not in waiting.content.decode()


@pytest.mark.django_db
def test_a_dispatch_waiting_to_retry_later_is_not_waiting_for_a_worker(ordering_shop, buyer):  # noqa: F811
    fill_cart(buyer, ordering_shop.supplier.pk)
    buyer.post("/cart/submit/")
    Dispatch.objects.update(
        status="retry_wait",
        created_at=timezone.now() - timedelta(hours=2),
        next_attempt_at=timezone.now() + timedelta(minutes=10),
    )

    ready = Client().get("/readyz")

    assert ready.status_code == 200
    assert ready.json()["checks"]["dispatch_queue"]["oldest_waiting_seconds"] == 0
