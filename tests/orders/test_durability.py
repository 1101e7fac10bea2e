"""The sweeper judges by the dispatch's own row, the heartbeat keeps a live send's lease, and a worker refuses lease
settings that do not fit together. (Real worker processes killed at each step: tests/dispatch/test_worker_crash.py.)
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ocilink.orders.dispatches import dispatch_claim, dispatch_enqueue, dispatch_send
from ocilink.orders.leases import LeaseHeartbeat, check_timing
from ocilink.orders.models import Dispatch, PurchaseOrder
from ocilink.orders.states import DispatchStatus
from ocilink.orders.sweeper import sweep

from .conftest import fill_cart

pytestmark = pytest.mark.django_db


def _dispatch(buyer, shop):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    fill_cart(buyer, shop.supplier.pk)
    buyer.post(reverse("requisitions:submit"), {}, follow=True)
    return PurchaseOrder.objects.get().dispatch


def _age(dispatch: Dispatch, seconds: float) -> None:
    """As if the dispatch was due, and last woken, ``seconds`` ago."""
    past = timezone.now() - timedelta(seconds=seconds)
    Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=past, woken_at=past)


def test_a_due_dispatch_whose_task_the_queue_calls_running_is_woken_again(ordering_shop, buyer, settings):
    # The worker took the task (the queue marked it running) and died before it claimed the dispatch.
    dispatch = _dispatch(buyer, ordering_shop)
    dispatch_enqueue(dispatch_id=dispatch.pk)
    dispatch.refresh_from_db()
    DBTaskResult.objects.filter(pk=dispatch.task_id).update(status="RUNNING", started_at=timezone.now())
    _age(dispatch, settings.DISPATCH_LEASE_SECONDS + 1)

    report = sweep()

    dispatch.refresh_from_db()
    assert report.rewoken == 1
    new_task = DBTaskResult.objects.get(pk=dispatch.task_id)
    assert new_task.status == "READY"
    assert new_task.task_result.args == [dispatch.pk]
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1  # the old one is left as the queue has it


def test_a_dispatch_woken_within_the_lease_is_left_alone_and_woken_once_per_lease(ordering_shop, buyer, settings):
    dispatch = _dispatch(buyer, ordering_shop)
    _age(dispatch, settings.DISPATCH_LEASE_SECONDS - 5)

    assert sweep().rewoken == 0

    _age(dispatch, settings.DISPATCH_LEASE_SECONDS + 5)
    assert sweep().rewoken == 1
    assert sweep().rewoken == 0  # just woken: the next wake waits another lease
    assert DBTaskResult.objects.count() == 1


def test_an_extra_task_finds_nothing_to_do(ordering_shop, buyer, fake_channel):
    dispatch = _dispatch(buyer, ordering_shop)

    assert dispatch_send(dispatch_id=dispatch.pk, worker_id="w1") == DispatchStatus.SENT
    assert dispatch_send(dispatch_id=dispatch.pk, worker_id="w2") == "skipped"
    assert len(fake_channel.sent) == 1


def test_a_sending_dispatch_is_never_woken_by_the_due_rule(ordering_shop, buyer, settings):
    dispatch = _dispatch(buyer, ordering_shop)
    dispatch_claim(dispatch_id=dispatch.pk, worker_id="w1")
    _age(dispatch, settings.DISPATCH_LEASE_SECONDS * 3)  # its lease is still running (renewed by its heartbeat)

    report = sweep()

    assert report.rewoken == 0
    assert report.reclaimed == 0
    assert Dispatch.objects.get().status == DispatchStatus.SENDING


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_ours_and_stops_once_taken_over(ordering_shop, buyer):
    dispatch = _dispatch(buyer, ordering_shop)
    claim = dispatch_claim(dispatch_id=dispatch.pk, worker_id="w1")
    assert claim is not None
    first_lease = Dispatch.objects.get().lease_expires_at
    ours = Dispatch.objects.filter(pk=dispatch.pk, status=DispatchStatus.SENDING, attempt_count=1)

    with LeaseHeartbeat(ours, what="test", interval=0.05) as heartbeat:
        deadline = time.monotonic() + 10
        while heartbeat.beats < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        renewed = Dispatch.objects.get().lease_expires_at
        Dispatch.objects.filter(pk=dispatch.pk).update(status=DispatchStatus.RETRY_WAIT, lease_expires_at=None)
        while not heartbeat.lost and time.monotonic() < deadline:
            time.sleep(0.02)

    assert heartbeat.beats >= 2
    assert renewed > first_lease
    assert heartbeat.lost
    assert Dispatch.objects.get().lease_expires_at is None  # a lost heartbeat writes nothing


def test_lease_settings_that_do_not_fit_together_are_refused(settings):
    settings.DISPATCH_LEASE_SECONDS, settings.DISPATCH_HEARTBEAT_SECONDS = 45, 15
    check_timing()  # the defaults fit

    settings.DISPATCH_HEARTBEAT_SECONDS = 23
    with pytest.raises(ImproperlyConfigured, match="DISPATCH_HEARTBEAT_SECONDS \\(23\\) must be below half"):
        check_timing()

    settings.DISPATCH_HEARTBEAT_SECONDS = 15
    settings.EMAIL_TIMEOUT = 45
    with pytest.raises(ImproperlyConfigured, match="EMAIL_TIMEOUT \\(45 s\\) must be below DISPATCH_LEASE_SECONDS"):
        check_timing()

    settings.EMAIL_TIMEOUT = 30
    settings.DISPATCH_HTTP_TIMEOUT_SECONDS = 60  # a transport's timeout in the settings is checked by its name
    with pytest.raises(ImproperlyConfigured, match="DISPATCH_HTTP_TIMEOUT_SECONDS \\(60 s\\) must be below"):
        check_timing()


def test_the_worker_command_fails_loudly_on_lease_settings_that_do_not_fit(settings):
    settings.DISPATCH_HEARTBEAT_SECONDS = settings.DISPATCH_LEASE_SECONDS

    with pytest.raises(CommandError, match="must be below half of DISPATCH_LEASE_SECONDS"):
        call_command("worker")


def test_the_default_lease_and_sweep_retake_a_dead_workers_order_within_a_minute(settings):
    assert settings.DISPATCH_LEASE_SECONDS + settings.DISPATCH_SWEEP_SECONDS < 60
    assert settings.DISPATCH_HEARTBEAT_SECONDS * 3 <= settings.DISPATCH_LEASE_SECONDS
