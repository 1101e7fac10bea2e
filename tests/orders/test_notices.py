"""Failure notices are rows written with the failure and sent by a worker, against a real local SMTP server: a mail
server that is down when the order fails delays the notice, it does not lose it; a refusing one fails it visibly."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocilink.demo_webshop.inbox import InboxStore, SmtpInbox
from ocilink.orders.dispatches import dispatch_send
from ocilink.orders.models import Notice, PurchaseOrder
from ocilink.orders.notifications import notice_send
from ocilink.orders.states import NoticeStatus, PurchaseOrderStatus
from ocilink.orders.sweeper import sweep
from tests.factories import UserFactory

from .conftest import fill_cart

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server(settings, tmp_path: Path) -> Iterator[SmtpInbox]:
    """The platform's mail server: a real SMTP server on 127.0.0.1, not started yet (the test starts it)."""
    inbox = SmtpInbox(InboxStore(tmp_path / "mail"), host="127.0.0.1", port=_free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", inbox.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    inbox.stop()


def _failed_order(buyer: Client, shop, fake_channel, capture) -> PurchaseOrder:  # type: ignore[no-untyped-def]
    fill_cart(buyer, shop.supplier.pk)
    buyer.post(reverse("requisitions:submit"), {}, follow=True)
    order = PurchaseOrder.objects.get()
    fake_channel.script = ["permanent"]
    with capture(execute=True):
        dispatch_send(dispatch_id=order.dispatch.pk, worker_id="w1")
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.FAILED
    return order


def _make_due(notice: Notice) -> None:
    """As if the backoff had passed."""
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())


def test_a_notice_written_while_the_mail_server_is_down_arrives_once_when_it_is_back(
    ordering_shop, buyer, fake_channel, mail_server, django_capture_on_commit_callbacks, settings
):
    order = _failed_order(buyer, ordering_shop, fake_channel, django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    assert notice.recipients == ["ada@example.org", "bea@example.org"]
    assert notice.reason == order.status_note

    # The mail server is down: the notice waits to be retried, with backoff; nothing is lost.
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert notice_send(notice_id=notice.pk, worker_id="w1") == NoticeStatus.RETRY_WAIT
    notice.refresh_from_db()
    assert "could not be reached" in notice.last_error
    assert notice.next_attempt_at >= before + timedelta(seconds=settings.DISPATCH_RETRY_FIRST_SECONDS * 0.75)
    assert notice_send(notice_id=notice.pk, worker_id="w1") == "skipped"  # not due yet

    # The mail server is back; the retry sends it, once.
    mail_server.start()
    _make_due(notice)
    assert notice_send(notice_id=notice.pk, worker_id="w2") == NoticeStatus.SENT
    assert notice_send(notice_id=notice.pk, worker_id="w3") == "skipped"
    assert sweep().notices_rewoken == 0

    assert len(mail_server.received) == 1
    received = mail_server.received[0]
    assert received.key == notice.message_id
    assert sorted(received.meta["rcpt_tos"]) == ["ada@example.org", "bea@example.org"]
    assert order.number in received.meta["subject"]
    assert b"401 Unauthorized" in received.read_bytes()
    notice.refresh_from_db()
    assert (notice.status, notice.attempt_count, notice.last_error) == (NoticeStatus.SENT, 2, "")


def test_a_refused_notice_fails_visibly_and_staff_can_send_it_again(
    ordering_shop, buyer, fake_channel, mail_server, django_capture_on_commit_callbacks
):
    order = _failed_order(buyer, ordering_shop, fake_channel, django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    mail_server.start()
    mail_server.script(["550 5.1.1 No such mailbox", "550 5.1.1 No such mailbox"], stage="rcpt")

    assert notice_send(notice_id=notice.pk, worker_id="w1") == NoticeStatus.FAILED

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert "550" in notice.last_error
    event = order.events.last()
    assert event.action == "notice_failed"
    assert "ada@example.org, bea@example.org" in event.note
    assert "was not delivered" in event.note
    assert mail_server.received == []

    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("admin:orders_notice_changelist") + "?status=failed").content.decode()
    assert order.number in page
    assert "Could not be sent" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:orders_notice_changelist"),
            {"action": "send_again", "_selected_action": [notice.pk]},
        )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PENDING
    assert notice_send(notice_id=notice.pk, worker_id="w2") == NoticeStatus.SENT
    assert [m.key for m in mail_server.received] == [notice.message_id]
    assert [e.action for e in order.events.all()][-2:] == ["notice_failed", "notice_sent_again"]


def test_a_notice_that_keeps_failing_fails_at_the_end_of_the_window(
    ordering_shop, buyer, fake_channel, mail_server, django_capture_on_commit_callbacks
):
    _failed_order(buyer, ordering_shop, fake_channel, django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(give_up_at=timezone.now())

    assert notice_send(notice_id=notice.pk, worker_id="w1") == NoticeStatus.FAILED
    assert PurchaseOrder.objects.get().events.last().action == "notice_failed"


def test_the_sweeper_hands_over_a_notice_whose_worker_died_and_wakes_a_lost_one(
    ordering_shop, buyer, fake_channel, mail_server, django_capture_on_commit_callbacks, settings
):
    _failed_order(buyer, ordering_shop, fake_channel, django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    mail_server.start()
    # A worker claimed it and died: its lease ran out.
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.SENDING, attempt_count=1, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert sweep().notices_reclaimed == 1
    assert notice_send(notice_id=notice.pk, worker_id="w2") == NoticeStatus.SENT

    # A notice whose task is lost (never enqueued, or its worker died before the claim) is woken after a lease.
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.RETRY_WAIT,
        next_attempt_at=timezone.now() - timedelta(seconds=settings.DISPATCH_LEASE_SECONDS + 1),
        woken_at=None,
    )
    assert sweep().notices_rewoken == 1


def test_nobody_to_tell_writes_no_notice(ordering_shop, buyer, fake_channel, django_capture_on_commit_callbacks):
    from ocilink.accounts.models import Membership, Role

    Membership.objects.filter(role=Role.ADMINISTRATOR).delete()
    ordering_shop.user.email = ""
    ordering_shop.user.save()

    _failed_order(buyer, ordering_shop, fake_channel, django_capture_on_commit_callbacks)

    assert not Notice.objects.exists()
