"""Retention: raw bodies of old cart returns and trials are emptied in bounded batches; their reports stay."""

from __future__ import annotations

import html
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocilink.core.periodic import PeriodicRunner, periodic_jobs, register_periodic_job
from ocilink.orders.worker import SweeperThread
from ocilink.protocols.oci import encode_cart_body
from ocilink.punchout import trials
from ocilink.punchout.models import CartReturn, PunchoutSession
from ocilink.punchout.retention import raw_purge
from ocilink.punchout.states import ReturnOutcome
from tests.factories import UserFactory
from tests.raw_files import raw_bytes

from .helpers import cart_body, line, post_cart, start_punchout

pytestmark = pytest.mark.django_db


def _return(shop, body: bytes) -> CartReturn:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(shop.user)
    _fields, hook_path = start_punchout(client, shop.supplier.pk)
    post_cart(hook_path, body)
    return CartReturn.objects.order_by("-pk").first()


def _age(cart_return: CartReturn, days: float) -> None:
    CartReturn.objects.filter(pk=cart_return.pk).update(received_at=timezone.now() - timedelta(days=days))


def _trial_return(shop, days: float) -> tuple[PunchoutSession, CartReturn]:  # type: ignore[no-untyped-def]
    test = trials.trial_create(
        organization=shop.organization, connection=shop.connection, reference="r", created_by=None
    )
    post_cart(reverse("punchout:return", args=[test.unseal("token")]), cart_body(2))
    past = timezone.now() - timedelta(days=days)
    PunchoutSession.objects.filter(pk=test.pk).update(created_at=past, expires_at=past + timedelta(hours=2))
    CartReturn.objects.filter(session=test).update(received_at=past)
    test.refresh_from_db()
    return test, test.cart_return


def test_old_bodies_are_emptied_and_their_reports_kept(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    refused = _return(shop, encode_cart_body([line(1), line(2, QUANTITY="1.234,50")]))
    _age(refused, 91)

    report = raw_purge()

    refused.refresh_from_db()
    assert report.returns == 1
    assert (raw_bytes(refused.body), refused.stored_bytes, refused.headers) == (b"", 0, {})
    assert refused.purged_at is not None
    assert refused.outcome == ReturnOutcome.REJECTED
    assert refused.body_size > 0
    assert refused.reference.startswith("RT-")
    assert [e["line"] for e in refused.errors] == [2]


def test_recent_bodies_are_kept(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    recent = _return(shop, cart_body(2))
    _age(recent, 89)

    assert raw_purge().returns == 0

    recent.refresh_from_db()
    assert (raw_bytes(recent.body), recent.purged_at) == (cart_body(2), None)


def test_trials_have_their_own_shorter_retention_and_lose_their_sealed_account(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    settings.PUNCHOUT_TRIAL_RETENTION_DAYS = 30
    old_test, old_return = _trial_return(shop, days=31)
    new_test, new_return = _trial_return(shop, days=29)
    order_return = _return(shop, cart_body(1))
    _age(order_return, 31)

    report = raw_purge()

    assert (report.returns, report.trials) == (1, 1)
    old_return.refresh_from_db()
    assert (raw_bytes(old_return.body), old_return.purged_at is not None) == (b"", True)
    assert old_return.report["ok"] is True
    assert [line_["description"] for line_ in old_return.report["lines"]] == ["Article 1", "Article 2"]
    old_test.refresh_from_db()
    assert (old_test.username_encrypted, old_test.password_encrypted, old_test.token_encrypted) == ("", "", "")
    new_test.refresh_from_db()
    new_return.refresh_from_db()
    assert (new_return.purged_at, new_test.token_encrypted != "") == (None, True)
    order_return.refresh_from_db()
    assert order_return.purged_at is None


def test_a_purge_is_idempotent(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    old = _return(shop, cart_body(1))
    _age(old, 100)
    raw_purge()
    old.refresh_from_db()
    first_purge = old.purged_at

    again = raw_purge(now=timezone.now() + timedelta(days=1))

    old.refresh_from_db()
    assert (again.returns, again.trials) == (0, 0)
    assert old.purged_at == first_purge


def test_a_purge_works_in_bounded_batches(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    template = _return(shop, cart_body(1))
    for _ in range(6):
        copy = CartReturn.objects.get(pk=template.pk)
        copy.pk, copy.reference = None, f"RT-COPY{CartReturn.objects.count():04d}"
        copy.save()
    CartReturn.objects.update(received_at=timezone.now() - timedelta(days=100))

    with CaptureQueriesContext(db_connection) as queries:
        first = raw_purge(batch_size=3, max_batches=2)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "punchout_cartreturn"')]
    rest = raw_purge(batch_size=3)

    assert first.returns == 6
    assert len(updates) == 2
    assert rest.returns == 1
    assert CartReturn.objects.filter(purged_at__isnull=True).count() == 0


def test_the_staff_page_says_when_a_body_was_purged(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    old = _return(shop, encode_cart_body([line(1, CURRENCY="")]))
    _age(old, 91)
    raw_purge()
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    old.refresh_from_db()

    page = staff.get(reverse("punchout:return_detail", args=[old.reference])).content.decode()

    assert "The raw body and headers were purged on" in page
    assert "they are kept for 90 days" in page
    assert "Errors and warnings when it arrived" in page
    assert html.escape(old.errors[0]["message"]) in page
    assert "Raw body</h2>" not in page
    staff.cookies["django_language"] = "nl"
    dutch = staff.get(reverse("punchout:return_detail", args=[old.reference])).content.decode()
    assert "De ruwe inhoud en headers zijn verwijderd op" in dutch


def test_the_purge_command(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    old = _return(shop, cart_body(1))
    _age(old, 91)
    out = StringIO()

    call_command("purge_raw", stdout=out)
    call_command("purge_raw", stdout=out)

    old.refresh_from_db()
    assert old.purged_at is not None
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Purged the raw bodies of 1 cart returns (kept 90 days; trials 30 days)")
    assert lines[1].startswith("Purged the raw bodies of 0 cart returns")


def test_the_purge_is_registered_as_a_periodic_job_of_the_worker(settings):
    settings.PUNCHOUT_PURGE_INTERVAL_SECONDS = 900

    jobs = {job.name: job for job in periodic_jobs()}

    assert jobs["punchout-retention"].interval() == 900


def test_the_periodic_runner_runs_a_job_when_due_and_outlives_a_failure():
    now = [1000.0]
    calls: list[str] = []

    def failing() -> None:
        calls.append("failing")
        raise RuntimeError("database gone")

    register_periodic_job("test-counting", lambda: calls.append("counting"), interval=lambda: 60)
    register_periodic_job("test-failing", failing, interval=lambda: 60)
    runner = PeriodicRunner(clock=lambda: now[0])
    try:
        runner.run_due()
        now[0] += 30
        runner.run_due()
        now[0] += 31
        runner.run_due()
    finally:
        from ocilink.core import periodic

        periodic._JOBS.pop("test-counting")
        periodic._JOBS.pop("test-failing")

    assert calls.count("counting") == 2
    assert calls.count("failing") == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeper_thread_purges_old_bodies(shop, settings):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    old = _return(shop, cart_body(1))
    _age(old, 91)
    sweeper = SweeperThread(interval=0.05)

    sweeper.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and CartReturn.objects.filter(purged_at__isnull=True).exists():
            time.sleep(0.05)
    finally:
        sweeper.stop()
        sweeper.join(timeout=10)

    old.refresh_from_db()
    assert old.purged_at is not None
    assert raw_bytes(old.body) == b""
