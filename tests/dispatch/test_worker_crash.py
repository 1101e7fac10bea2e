"""A real worker process is killed (SIGKILL) in the middle of a send to a slow server; a second worker finishes.

Every order arrives, none is lost, and the repeat of the interrupted one carries the same payloadID.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection as db_connection
from django.test import Client

from ocilink.demo_webshop.inbox.https_server import CxmlInbox, Reply
from ocilink.demo_webshop.inbox.store import InboxStore
from ocilink.orders.models import Dispatch, PurchaseOrder
from ocilink.orders.states import AttemptOutcome, DispatchStatus, PurchaseOrderStatus
from ocilink.requisitions.handoff import order_request_submit_and_place
from ocilink.requisitions.models import OrderRequest
from tests.conftest import make_shop
from tests.punchout.helpers import cart_body, post_cart, start_punchout

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = 4


def _database_url() -> str:
    db = db_connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ocilink.cli", "worker", "--interval", "0.1", "--sweep-interval", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def slow_supplier(tmp_path):  # type: ignore[no-untyped-def]
    inbox = CxmlInbox(InboxStore(tmp_path / "inbox"))
    inbox.script([Reply.slow(60)])  # the first order hangs: the worker will be killed while it waits
    inbox.start()
    yield inbox
    inbox.stop()


def test_a_killed_worker_loses_no_order_and_repeats_carry_the_same_payload_id(slow_supplier):
    shop = make_shop()
    connection = shop.connection
    connection.ordering_method = "cxml_https"
    connection.ordering_settings = {
        "order_url": slow_supplier.url,
        "from_domain": "NetworkID",
        "from_identity": "buyer-1",
        "to_domain": "NetworkID",
        "to_identity": "supplier-1",
        "sender_domain": "NetworkID",
        "sender_identity": "buyer-1",
        "ca_bundle": slow_supplier.ca_pem,
        "timeout_seconds": 120,
    }
    connection.set_ordering_secrets({"shared_secret": "s3cret"})
    connection.save()
    client = Client()
    client.force_login(shop.user)
    for _ in range(ORDERS):
        _, hook_path = start_punchout(client, shop.supplier.pk)
        post_cart(hook_path, cart_body(3))
        order_request_submit_and_place(order_request=OrderRequest.objects.get(status="draft"), requester=shop.user)
    first = Dispatch.objects.order_by("pk").first()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocilink.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "OCILINK_KEYRING": ",".join(settings.OCILINK_KEYRING),
        "DISPATCH_LEASE_SECONDS": "3",
        "DISPATCH_RETRY_FIRST_SECONDS": "1",
    }

    doomed = _worker(env)
    try:
        _wait(lambda: len(slow_supplier.received) >= 1, 30, "the first order to reach the slow server")
        assert Dispatch.objects.get(pk=first.pk).status == DispatchStatus.SENDING
    finally:
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

    rescuer = _worker(env)
    try:
        _wait(
            lambda: Dispatch.objects.filter(status=DispatchStatus.SENT).count() == ORDERS,
            60,
            "every order to be delivered by the second worker",
        )
    finally:
        rescuer.send_signal(signal.SIGTERM)
        output = rescuer.communicate(timeout=20)[0].decode()
    assert rescuer.returncode == 0, output
    assert "ocilink worker stopped." in output

    payload_ids = {d.payload_id for d in Dispatch.objects.all()}
    received = Counter(slow_supplier.received)
    assert set(received) == payload_ids  # every order arrived, and nothing else did
    assert received[first.payload_id] == 2  # the interrupted one was repeated, with the same payloadID
    assert all(count == 1 for payload_id, count in received.items() if payload_id != first.payload_id)
    outcomes = list(first.attempts.order_by("number").values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.CRASHED, AttemptOutcome.SENT]
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {PurchaseOrderStatus.TO_BE_RECEIVED}
