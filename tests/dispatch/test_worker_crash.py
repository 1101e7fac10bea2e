"""Real ``ocilink worker`` processes against the demo supplier's real HTTPS inbox: killed (SIGKILL) at every step of
a send, kept alive through a send longer than their lease, and four at once on one database.

Every order arrives, none is lost, none goes out under a second payloadID, and every one ends "To be received".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ocilink.demo_webshop.inbox.https_server import CxmlInbox, Reply
from ocilink.demo_webshop.inbox.store import InboxStore
from ocilink.orders.models import Dispatch, DispatchAttempt, PurchaseOrder
from ocilink.orders.placing import order_request_place
from ocilink.orders.states import AttemptOutcome, DispatchStatus, PurchaseOrderStatus
from ocilink.requisitions.handoff import order_request_submit_and_place
from ocilink.requisitions.models import OrderRequest
from tests.conftest import Shop, make_shop
from tests.punchout.helpers import cart_body, post_cart, start_punchout

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = 4
# Short leases keep the tests short; the worker checks that they fit together as it does in production.
LEASE, HEARTBEAT, SWEEP = 3, 1, 0.5
POSTGRES = db_connection.vendor == "postgresql"


def _database_url() -> str:
    db = db_connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocilink.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "OCILINK_KEYRING": ",".join(settings.OCILINK_KEYRING),
        "DISPATCH_LEASE_SECONDS": str(LEASE),
        "DISPATCH_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "EMAIL_TIMEOUT": "2",  # below the short lease, as the worker demands
        "DISPATCH_RETRY_FIRST_SECONDS": "1",
    }
    env.pop("OCILINK_TEST_KILL_AT", None)
    env.update(overrides)
    return env


class Workers:
    """``ocilink worker`` processes; their output goes to files (a full pipe would stall a busy worker)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, env: dict[str, str], *, sweep: float = SWEEP) -> subprocess.Popen[bytes]:
        log = self.folder / f"worker-{len(self.started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "ocilink.cli", "worker", "--interval", "0.1", "--sweep-interval", str(sweep)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append((process, log))
        return process

    def output(self, process: subprocess.Popen[bytes]) -> str:
        return next(log for p, log in self.started if p is process).read_text(errors="replace")

    def ready(self, process: subprocess.Popen[bytes]) -> bool:
        return "ocilink worker" in self.output(process) and "started" in self.output(process)

    def by_pid(self, pid: int) -> subprocess.Popen[bytes]:
        return next(p for p, _log in self.started if p.pid == pid)

    def stop(self, process: subprocess.Popen[bytes]) -> str:
        """SIGTERM: the worker finishes what it sends and stops; returns its output."""
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        return self.output(process)

    def kill_all(self) -> None:
        for process, _log in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    yield pool
    pool.kill_all()


@pytest.fixture
def supplier(tmp_path: Path) -> Iterator[CxmlInbox]:
    inbox = CxmlInbox(InboxStore(tmp_path / "inbox"))
    inbox.start()
    yield inbox
    inbox.stop()


def _wait(condition: Callable[[], object], timeout: float, what: str, *, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _shop_ordering_at(inbox: CxmlInbox, *, timeout_seconds: int = 120) -> Shop:
    shop = make_shop()
    connection = shop.connection
    connection.ordering_method = "cxml_https"
    connection.ordering_settings = {
        "order_url": inbox.url,
        "from_domain": "NetworkID",
        "from_identity": "buyer-1",
        "to_domain": "NetworkID",
        "to_identity": "supplier-1",
        "sender_domain": "NetworkID",
        "sender_identity": "buyer-1",
        "ca_bundle": inbox.ca_pem,
        "timeout_seconds": timeout_seconds,
    }
    connection.set_ordering_secrets({"shared_secret": "s3cret"})
    connection.save()
    return shop


def _place(shop: Shop, count: int = 1) -> list[Dispatch]:
    """``count`` orders through a real punchout, submit and approval."""
    client = Client()
    client.force_login(shop.user)
    placed = []
    for _ in range(count):
        _, hook_path = start_punchout(client, shop.supplier.pk)
        post_cart(hook_path, cart_body(3))
        order_request = OrderRequest.objects.filter(status="draft").get()
        placed += order_request_submit_and_place(order_request=order_request, requester=shop.user)
    return [Dispatch.objects.get(purchase_order=order) for order in placed]


def _outcomes(dispatch: Dispatch) -> list[str]:
    return list(DispatchAttempt.objects.filter(dispatch=dispatch).order_by("number").values_list("outcome", flat=True))


def _pid_of(worker_id: str) -> int:
    return int(worker_id.split(":")[1])  # host:pid:thread


def test_a_killed_worker_loses_no_order_and_repeats_carry_the_same_payload_id(supplier, workers):
    supplier.script([Reply.slow(60)])  # the first order hangs: the worker will be killed while it waits
    shop = _shop_ordering_at(supplier)
    _place(shop, ORDERS)
    first = Dispatch.objects.order_by("pk").first()
    env = _env()

    doomed = workers.start(env)
    _wait(lambda: len(supplier.received) >= 1, 30, "the first order to reach the slow server")
    assert Dispatch.objects.get(pk=first.pk).status == DispatchStatus.SENDING
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)

    rescuer = workers.start(env)
    _wait(
        lambda: Dispatch.objects.filter(status=DispatchStatus.SENT).count() == ORDERS,
        60,
        "every order to be delivered by the second worker",
    )
    output = workers.stop(rescuer)
    assert rescuer.returncode == 0, output
    assert "ocilink worker stopped." in output

    payload_ids = {d.payload_id for d in Dispatch.objects.all()}
    received = Counter(supplier.received)
    assert set(received) == payload_ids  # every order arrived, and nothing else did
    assert received[first.payload_id] == 2  # the interrupted one was repeated, with the same payloadID
    assert all(count == 1 for payload_id, count in received.items() if payload_id != first.payload_id)
    assert _outcomes(first) == [AttemptOutcome.CRASHED, AttemptOutcome.SENT]
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {PurchaseOrderStatus.TO_BE_RECEIVED}


# Each step between taking the task and recording the outcome; "during-send" is a kill from outside while the
# supplier holds the request, the others are the worker's own crash points (ocilink.orders.crashpoints).
STEPS = {
    # step: (what the supplier saw of the order before the kill, the attempts at the end)
    "task-running": (0, [AttemptOutcome.SENT]),
    "claimed": (0, [AttemptOutcome.CRASHED, AttemptOutcome.SENT]),
    "during-send": (1, [AttemptOutcome.CRASHED, AttemptOutcome.SENT]),
    "sent": (1, [AttemptOutcome.CRASHED, AttemptOutcome.SENT]),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_worker_killed_at_any_step_leaves_the_order_to_a_second_worker_under_the_same_payload_id(
    step, supplier, workers
):
    seen_before_kill, attempts = STEPS[step]
    if step == "during-send":
        supplier.script([Reply.slow(60)])
    shop = _shop_ordering_at(supplier)
    [dispatch] = _place(shop)

    if step == "during-send":
        doomed = workers.start(_env())
        _wait(lambda: len(supplier.received) == 1, 30, "the order to reach the supplier")
        os.kill(doomed.pid, signal.SIGKILL)
    else:
        doomed = workers.start(_env(OCILINK_TEST_KILL_AT=step))
    doomed.wait(timeout=30)
    assert doomed.returncode == -signal.SIGKILL, workers.output(doomed)

    stranded = Dispatch.objects.get(pk=dispatch.pk)
    assert len(supplier.received) == seen_before_kill
    if step == "task-running":
        # The queue calls the task running for good; the dispatch was never claimed.
        assert stranded.status == DispatchStatus.PENDING
        assert DBTaskResult.objects.get(pk=stranded.task_id).status == "RUNNING"
    else:
        assert stranded.status == DispatchStatus.SENDING

    rescuer = workers.start(_env())
    _wait(
        lambda: Dispatch.objects.get(pk=dispatch.pk).status == DispatchStatus.SENT,
        LEASE + 30,
        f"a second worker to deliver the order after a kill at {step!r}",
    )
    output = workers.stop(rescuer)
    assert rescuer.returncode == 0, output

    # The supplier has this one order, under its one payloadID: once, or repeated byte for byte when the kill came
    # after it had the order (nobody can know whether it did).
    assert supplier.received == [dispatch.payload_id] * (1 + seen_before_kill)
    assert [r.body for r in supplier.requests].count(supplier.requests[0].body) == len(supplier.requests)
    assert _outcomes(dispatch) == attempts
    assert DispatchAttempt.objects.get(dispatch=dispatch, outcome=AttemptOutcome.SENT).worker_id.split(":")[1] == str(
        rescuer.pid
    )
    assert PurchaseOrder.objects.get().status == PurchaseOrderStatus.TO_BE_RECEIVED


def test_a_send_longer_than_the_lease_is_kept_by_its_heartbeat_and_taken_over_when_its_worker_dies(supplier, workers):
    shop = _shop_ordering_at(supplier, timeout_seconds=120)
    env = _env()
    pair = [workers.start(env), workers.start(env)]
    _wait(lambda: all(workers.ready(p) for p in pair), 30, "two workers to start")

    # 1. The supplier takes three leases to answer; the other worker's sweeper runs all along and leaves it alone.
    supplier.script([Reply.slow(3 * LEASE)])
    [slow] = _place(shop)
    _wait(lambda: Dispatch.objects.get(pk=slow.pk).status == DispatchStatus.SENT, 3 * LEASE + 30, "the slow send")
    assert all(p.poll() is None for p in pair)
    attempts = list(DispatchAttempt.objects.filter(dispatch=slow).order_by("number"))
    # Never taken over while its worker lived, and never two tries at once. (With the connection's timeout above
    # the lease, the one try waits for the answer; a platform limit on a send's length would end it sooner and
    # retry: still one try at a time.)
    assert AttemptOutcome.CRASHED not in [a.outcome for a in attempts]
    assert attempts[-1].outcome == AttemptOutcome.SENT
    assert all(later.started_at >= earlier.finished_at for earlier, later in zip(attempts, attempts[1:], strict=False))
    assert supplier.received == [slow.payload_id] * len(attempts)

    # 2. The same, but its worker dies: the other one takes it over within a lease and a sweep of the kill.
    supplier.script([Reply.slow(60)])
    [hanging] = _place(shop)
    _wait(lambda: hanging.payload_id in supplier.received, 30, "the second order to reach the supplier")
    sender = workers.by_pid(_pid_of(Dispatch.objects.get(pk=hanging.pk).worker_id))
    [survivor] = [p for p in pair if p is not sender]
    killed_at = timezone.now()
    os.kill(sender.pid, signal.SIGKILL)
    _wait(lambda: Dispatch.objects.get(pk=hanging.pk).status == DispatchStatus.SENT, LEASE + 30, "the takeover")

    crashed = DispatchAttempt.objects.get(dispatch=hanging, outcome=AttemptOutcome.CRASHED)
    # The lease ran out at most one lease after the kill (its last beat came before it), then came one sweep; allow
    # two seconds for the sweeper's own pass and a late wake-up on a busy machine.
    assert killed_at < crashed.finished_at <= killed_at + timedelta(seconds=LEASE + SWEEP + 2)
    assert _outcomes(hanging) == [AttemptOutcome.CRASHED, AttemptOutcome.SENT]
    assert supplier.received[-2:] == [hanging.payload_id, hanging.payload_id]
    sent = DispatchAttempt.objects.get(dispatch=hanging, outcome=AttemptOutcome.SENT)
    assert _pid_of(sent.worker_id) == survivor.pid
    workers.stop(survivor)
    assert survivor.returncode == 0


def test_four_workers_on_one_database_deliver_every_order_once_while_the_supplier_fails_half_the_first_tries(
    supplier, workers
):
    # 2,000 orders on PostgreSQL; SQLite takes one writer at a time, so fewer there (same workers, same rules).
    count = 2000 if POSTGRES else 300
    # The first retry comes after the first pass: the supplier's script of "503, OK, 503, OK, ..." then answers first
    # tries only, so half of them fail; retries find it answering as usual.
    retry_first = 30 if POSTGRES else 15
    shop = _shop_ordering_at(supplier, timeout_seconds=30)
    supplier.script([Reply.http_error(503), None] * (count // 2))
    env = _env(
        # A lease longer than the queue's backlog usually is: the sweeper seldom wakes a waiting order a second time
        # (which would be harmless: the extra task finds nothing to do).
        DISPATCH_LEASE_SECONDS="60",
        DISPATCH_HEARTBEAT_SECONDS="20",
        DISPATCH_RETRY_FIRST_SECONDS=str(retry_first),
        LOG_LEVEL="WARNING",
    )

    pool = [workers.start(env, sweep=2) for _ in range(4)]
    [first] = _place(shop)
    order_request = OrderRequest.objects.get()
    # The rest from the same approved request, each with its own number, in small transactions: the workers start
    # on the first orders while the others are being placed.
    for start in range(1, count, 50):
        with transaction.atomic():
            for _ in range(start, min(start + 50, count)):
                order_request_place(order_request=order_request)
    assert Dispatch.objects.count() == count
    # Generous: a machine busy with other work may take minutes; an idle one takes well under one.
    _wait(
        lambda: Dispatch.objects.filter(status=DispatchStatus.SENT).count() == count,
        900,
        f"{count} orders to be delivered by four workers",
        every=1.0,
    )
    for process in pool:
        output = workers.stop(process)
        assert process.returncode == 0, output

    dispatches = list(Dispatch.objects.all())
    payload_ids = {d.payload_id for d in dispatches}
    assert len(payload_ids) == count
    # The supplier kept each order once, under its payloadID; nothing else arrived.
    kept = Counter(item.key for item in supplier.store.list("cxml_https"))
    assert set(kept) == payload_ids
    assert set(kept.values()) == {1}
    # Half the scripted answers were 503: each one a transient try, repeated with the same payloadID.
    failed = [r.payload_id for r in supplier.requests if r.reply.http_status == 503]
    assert len(failed) == count // 2
    tries = Counter(supplier.received)
    outcomes: dict[int, list[str]] = {}
    for dispatch_id, outcome in DispatchAttempt.objects.order_by("dispatch", "number").values_list(
        "dispatch", "outcome"
    ):
        outcomes.setdefault(dispatch_id, []).append(outcome)
    for dispatch in dispatches:
        attempts = outcomes[dispatch.pk]
        assert attempts[-1] == AttemptOutcome.SENT
        assert set(attempts[:-1]) <= {AttemptOutcome.TRANSIENT}  # no crash, no second claim
        assert tries[dispatch.payload_id] == len(attempts)
        assert Counter(failed)[dispatch.payload_id] == len(attempts) - 1
    first_try_failed = sum(1 for attempts in outcomes.values() if attempts[0] == AttemptOutcome.TRANSIENT)
    # Half of the first tries when the first pass ends before the first retry; at least a quarter on a machine so
    # busy that retries mix with first tries in the scripted stretch.
    assert first_try_failed >= count // 4
    assert DispatchAttempt.objects.values("worker_id").distinct().count() == 4  # all four worked
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == {PurchaseOrderStatus.TO_BE_RECEIVED}
    assert first.payload_id in payload_ids
