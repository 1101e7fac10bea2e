"""From cart to purchase orders to delivery, through the dispatch services (with a scripted channel)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ocilink.orders.dispatches import dispatch_claim, dispatch_send
from ocilink.orders.models import Dispatch, DispatchAttempt, DispatchDocument, Notice, PurchaseOrder
from ocilink.orders.notifications import notice_send
from ocilink.orders.snapshots import snapshot_from_json
from ocilink.orders.states import AttemptOutcome, DispatchStatus, NoticeStatus, PurchaseOrderStatus
from ocilink.orders.sweeper import sweep
from ocilink.requisitions.models import OrderRequest
from ocilink.requisitions.states import OrderRequestStatus
from tests.factories import SupplierFactory
from tests.punchout.helpers import line
from tests.raw_files import raw_bytes

from .conftest import fill_cart

pytestmark = pytest.mark.django_db


def _submit(client: Client, **data: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("requisitions:submit"), data, follow=True)


def test_submit_creates_one_numbered_order_with_a_pending_dispatch_enqueued_on_commit(
    ordering_shop, buyer, django_capture_on_commit_callbacks
):
    fill_cart(buyer, ordering_shop.supplier.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _submit(buyer, reference="Project 7")

    order = PurchaseOrder.objects.get()
    year = timezone.now().year
    assert order.number == f"PO-{year}-000001"
    assert f"PO-{year}-000001" in response.content.decode()
    assert order.status == PurchaseOrderStatus.SENDING
    assert order.total == Decimal("42.50")
    dispatch = order.dispatch
    assert dispatch.status == DispatchStatus.PENDING
    assert len(callbacks) == 1
    assert DBTaskResult.objects.filter(pk=dispatch.__class__.objects.get().task_id).exists()
    snapshot = snapshot_from_json(order.snapshot)
    assert snapshot.reference == "Project 7"
    assert [ln.description for ln in snapshot.lines] == ["Article 1", "Article 2"]
    assert snapshot.ship_to.street == ordering_shop.address.street
    assert OrderRequest.objects.get().status == OrderRequestStatus.APPROVED


def test_numbers_continue_per_organization(ordering_shop, buyer):
    fill_cart(buyer, ordering_shop.supplier.pk)
    _submit(buyer)
    fill_cart(buyer, ordering_shop.supplier.pk)
    _submit(buyer)

    numbers = sorted(PurchaseOrder.objects.values_list("number", flat=True))

    assert [n[-6:] for n in numbers] == ["000001", "000002"]


def test_one_order_per_supplier(ordering_shop, buyer):
    from ocilink.connections.services import oci_credential_set

    second = SupplierFactory(organization=ordering_shop.organization)
    second.external_connection.ordering_method = "fake"
    second.external_connection.save()
    oci_credential_set(connection=second.external_connection, delivery_address=None, username="u", password="p")
    fill_cart(buyer, ordering_shop.supplier.pk)
    fill_cart(buyer, second.pk, [line(1, PRICE="1.00")])

    _submit(buyer)

    assert sorted(PurchaseOrder.objects.values_list("supplier_id", flat=True)) == sorted(
        [ordering_shop.supplier.pk, second.pk]
    )
    assert Dispatch.objects.count() == 2


def test_a_line_without_a_price_blocks_submission_and_nothing_is_created(ordering_shop, buyer):
    fill_cart(buyer, ordering_shop.supplier.pk, [line(1, PRICE="", CURRENCY="")])

    response = _submit(buyer)

    assert "has no price" in response.content.decode()
    assert not PurchaseOrder.objects.exists()
    assert not Dispatch.objects.exists()
    assert OrderRequest.objects.get().status == OrderRequestStatus.DRAFT


def test_a_supplier_without_ordering_method_blocks_submission(ordering_shop, buyer):
    fill_cart(buyer, ordering_shop.supplier.pk)
    ordering_shop.connection.ordering_method = ""
    ordering_shop.connection.save()

    response = _submit(buyer)

    assert "has no ordering method" in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def _order_and_dispatch(buyer, shop):  # type: ignore[no-untyped-def]
    fill_cart(buyer, shop.supplier.pk)
    _submit(buyer)
    order = PurchaseOrder.objects.get()
    return order, order.dispatch


def test_delivery_makes_the_order_to_be_received_with_evidence(ordering_shop, buyer, fake_channel):
    order, dispatch = _order_and_dispatch(buyer, ordering_shop)

    status = dispatch_send(dispatch_id=dispatch.pk, worker_id="w1")

    order.refresh_from_db()
    assert status == DispatchStatus.SENT
    assert order.status == PurchaseOrderStatus.TO_BE_RECEIVED
    attempt = DispatchAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.SENT
    assert attempt.evidence == {"cxml_code": 200, "payload_id": dispatch.payload_id}
    assert attempt.duration_ms is not None
    assert raw_bytes(DispatchDocument.objects.get().content) == b"<cXML/>"
    page = buyer.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "To be received" in page
    assert dispatch.payload_id in page


def test_a_transient_failure_is_retried_later_with_the_same_document(ordering_shop, buyer, fake_channel):
    order, dispatch = _order_and_dispatch(buyer, ordering_shop)
    fake_channel.script = ["transient"]

    before = timezone.now()
    dispatch_send(dispatch_id=dispatch.pk, worker_id="w1")
    dispatch.refresh_from_db()

    assert dispatch.status == DispatchStatus.RETRY_WAIT
    assert before + timedelta(seconds=22) <= dispatch.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert dispatch_send(dispatch_id=dispatch.pk, worker_id="w1") == "skipped"  # not due yet
    Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now())
    assert dispatch_send(dispatch_id=dispatch.pk, worker_id="w2") == DispatchStatus.SENT
    assert [e.payload_id for e in fake_channel.sent] == [dispatch.payload_id, dispatch.payload_id]
    assert [e.message_id for e in fake_channel.sent] == [dispatch.message_id] * 2
    assert list(DispatchAttempt.objects.order_by("number").values_list("outcome", flat=True)) == [
        AttemptOutcome.TRANSIENT,
        AttemptOutcome.SENT,
    ]


def test_transient_failures_past_the_window_fail_and_tell_people(ordering_shop, buyer, fake_channel):
    order, dispatch = _order_and_dispatch(buyer, ordering_shop)
    Dispatch.objects.filter(pk=dispatch.pk).update(give_up_at=timezone.now())
    fake_channel.script = ["transient"]

    dispatch_send(dispatch_id=dispatch.pk, worker_id="w1")

    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.FAILED
    assert order.status_note.startswith("Gave up after trying for 24 hours.")


def test_a_permanent_failure_fails_at_once_and_mails_admins_and_buyer(
    ordering_shop, buyer, fake_channel, django_capture_on_commit_callbacks
):
    order, dispatch = _order_and_dispatch(buyer, ordering_shop)
    fake_channel.script = ["permanent"]

    with django_capture_on_commit_callbacks(execute=True):
        dispatch_send(dispatch_id=dispatch.pk, worker_id="w1")
    notice = Notice.objects.get()  # written with the failure; its task wakes a worker, which sends it
    assert DBTaskResult.objects.filter(pk=notice.task_id).exists()
    assert notice_send(notice_id=notice.pk, worker_id="w1") == NoticeStatus.SENT

    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.FAILED
    assert "401 Unauthorized. Check the shared secret of connection" in order.status_note
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == notice.message_id
    assert sorted(mail.outbox[0].to) == ["ada@example.org", "bea@example.org"]
    assert order.number in mail.outbox[0].subject
    assert "401 Unauthorized" in mail.outbox[0].body
    assert len(fake_channel.sent) == 1


def test_a_test_order_is_held_built_but_not_sent_until_released(ordering_shop, buyer, fake_channel):
    ordering_shop.connection.hold_next_order = True
    ordering_shop.connection.save()

    order, dispatch = _order_and_dispatch(buyer, ordering_shop)

    assert order.status == PurchaseOrderStatus.HELD
    assert dispatch.status == DispatchStatus.HELD
    assert raw_bytes(DispatchDocument.objects.get().content) == b"<cXML held/>"
    assert dispatch_send(dispatch_id=dispatch.pk, worker_id="w1") == "skipped"
    assert fake_channel.sent == []
    ordering_shop.connection.refresh_from_db()
    assert ordering_shop.connection.hold_next_order is False

    buyer.post(reverse("orders:action", args=[order.pk, "release"]))
    assert dispatch_send(dispatch_id=dispatch.pk, worker_id="w1") == DispatchStatus.SENT
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.TO_BE_RECEIVED
    assert [e.action for e in order.events.all()] == ["created", "held_test_order", "release", "delivered"]


def test_a_held_test_order_can_be_discarded(ordering_shop, buyer, fake_channel):
    ordering_shop.connection.hold_next_order = True
    ordering_shop.connection.save()
    order, dispatch = _order_and_dispatch(buyer, ordering_shop)

    buyer.post(reverse("orders:action", args=[order.pk, "cancel"]))

    order.refresh_from_db()
    dispatch.refresh_from_db()
    assert order.status == PurchaseOrderStatus.CANCELLED
    assert dispatch.status == DispatchStatus.CANCELLED
    assert fake_channel.sent == []


def test_a_claimed_dispatch_cannot_be_claimed_twice(ordering_shop, buyer):
    _, dispatch = _order_and_dispatch(buyer, ordering_shop)

    first = dispatch_claim(dispatch_id=dispatch.pk, worker_id="w1")
    second = dispatch_claim(dispatch_id=dispatch.pk, worker_id="w2")

    assert first is not None
    assert second is None


def test_the_sweeper_hands_over_a_dispatch_whose_worker_died(ordering_shop, buyer, fake_channel, settings):
    _, dispatch = _order_and_dispatch(buyer, ordering_shop)
    dispatch_claim(dispatch_id=dispatch.pk, worker_id="dead-worker")
    Dispatch.objects.filter(pk=dispatch.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    report = sweep()

    dispatch.refresh_from_db()
    assert report.reclaimed == 1
    assert dispatch.status == DispatchStatus.RETRY_WAIT
    assert DispatchAttempt.objects.get().outcome == AttemptOutcome.CRASHED
    assert dispatch_send(dispatch_id=dispatch.pk, worker_id="w2") == DispatchStatus.SENT
    assert [e.payload_id for e in fake_channel.sent] == [dispatch.payload_id]


def test_the_sweeper_wakes_a_due_dispatch_whose_task_is_gone(ordering_shop, buyer):
    _, dispatch = _order_and_dispatch(buyer, ordering_shop)
    DBTaskResult.objects.all().delete()
    Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))

    report = sweep()

    dispatch.refresh_from_db()
    assert report.rewoken == 1
    assert DBTaskResult.objects.filter(pk=dispatch.task_id).exists()


def test_failed_order_can_be_retried_now_then_received(ordering_shop, buyer, fake_channel):
    order, dispatch = _order_and_dispatch(buyer, ordering_shop)
    fake_channel.script = ["permanent"]
    dispatch_send(dispatch_id=dispatch.pk, worker_id="w1")

    buyer.post(reverse("orders:action", args=[order.pk, "retry"]))
    dispatch_send(dispatch_id=dispatch.pk, worker_id="w1")
    buyer.post(reverse("orders:action", args=[order.pk, "received"]))

    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.RECEIVED
    events = list(order.events.values_list("action", "actor__username"))
    assert events == [
        ("created", ordering_shop.user.username),
        ("failed", None),
        ("retry_now", ordering_shop.user.username),
        ("delivered", None),
        ("received", ordering_shop.user.username),
    ]


def test_placed_by_phone_needs_a_note_and_stops_sending(ordering_shop, buyer, fake_channel):
    order, dispatch = _order_and_dispatch(buyer, ordering_shop)
    fake_channel.script = ["permanent"]
    dispatch_send(dispatch_id=dispatch.pk, worker_id="w1")

    refused = buyer.post(reverse("orders:action", args=[order.pk, "phone"]), {"note": " "}, follow=True)
    buyer.post(reverse("orders:action", args=[order.pk, "phone"]), {"note": "Called Jan at the supplier, 10:15"})

    assert "Say how and with whom" in refused.content.decode()
    order.refresh_from_db()
    dispatch.refresh_from_db()
    assert order.status == PurchaseOrderStatus.TO_BE_RECEIVED
    assert order.events.last().note == "Called Jan at the supplier, 10:15"
    assert dispatch.status == DispatchStatus.CANCELLED


def test_orders_of_another_organization_are_not_found_and_cannot_be_changed(ordering_shop, buyer, other_shop):
    order, _ = _order_and_dispatch(buyer, ordering_shop)
    intruder = Client()
    intruder.force_login(other_shop.user)

    assert intruder.get(reverse("orders:detail", args=[order.pk])).status_code == 404
    assert intruder.get(reverse("orders:document", args=[order.pk])).status_code == 404
    assert intruder.post(reverse("orders:action", args=[order.pk, "cancel"])).status_code == 404
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.SENDING
