"""The exact document and what each try sent and got back: files in the storage of raw documents, downloaded byte
for byte (streamed), and an order's outcome recorded even when the storage refuses its evidence."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from ocilink.orders.dispatches import dispatch_send
from ocilink.orders.models import DispatchAttempt, DispatchDocument, PurchaseOrder
from ocilink.orders.states import DispatchStatus, PurchaseOrderStatus
from tests.raw_files import raw_bytes

from .conftest import fill_cart

pytestmark = pytest.mark.django_db


def _sent_order(buyer, shop) -> PurchaseOrder:  # type: ignore[no-untyped-def]
    fill_cart(buyer, shop.supplier.pk)
    buyer.post(reverse("requisitions:submit"))
    order = PurchaseOrder.objects.get()
    dispatch_send(dispatch_id=order.dispatch.pk, worker_id="w1")
    return order


def _content(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_document_download_is_exactly_the_stored_bytes(ordering_shop, buyer, raw_documents_dir):
    order = _sent_order(buyer, ordering_shop)
    document = DispatchDocument.objects.get()

    response = buyer.get(reverse("orders:document", args=[order.pk]))

    assert response.status_code == 200
    assert response.streaming  # streamed from the storage, never read into memory whole
    assert _content(response) == (raw_documents_dir / document.content.name).read_bytes() == b"<cXML/>"
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{order.number}.xml"'
    assert response["Cache-Control"] == "no-store"
    assert document.content.name.startswith("dispatch-documents/")


def test_what_a_try_sent_and_got_back_downloads_byte_for_byte(ordering_shop, buyer, raw_documents_dir):
    order = _sent_order(buyer, ordering_shop)
    attempt = DispatchAttempt.objects.get()

    sent = buyer.get(reverse("orders:attempt_payload", args=[order.pk, 1, "request"]))
    answer = buyer.get(reverse("orders:attempt_payload", args=[order.pk, 1, "response"]))

    assert _content(sent) == raw_bytes(attempt.request) == b"<cXML>" + order.dispatch.payload_id.encode() + b"</cXML>"
    assert _content(answer) == raw_bytes(attempt.response) == b"<Status code='200'/>"
    assert sent["Content-Disposition"] == f'attachment; filename="{order.number}-try1-request.txt"'
    assert attempt.request.name.startswith("dispatch-attempts/")


def test_a_try_that_got_nothing_back_downloads_empty(ordering_shop, buyer, fake_channel):
    fake_channel.script = ["transient"]
    order = _sent_order(buyer, ordering_shop)

    answer = buyer.get(reverse("orders:attempt_payload", args=[order.pk, 1, "response"]))

    assert answer.status_code == 200
    assert _content(answer) == b""
    assert DispatchAttempt.objects.get().response.name == ""


def test_a_document_missing_from_the_storage_is_not_found(ordering_shop, buyer, raw_documents_dir):
    order = _sent_order(buyer, ordering_shop)
    (raw_documents_dir / DispatchDocument.objects.get().content.name).unlink()

    assert buyer.get(reverse("orders:document", args=[order.pk])).status_code == 404


def test_another_organization_cannot_download(ordering_shop, buyer, other_shop):
    order = _sent_order(buyer, ordering_shop)
    stranger = Client()
    stranger.force_login(other_shop.user)

    assert stranger.get(reverse("orders:document", args=[order.pk])).status_code == 404
    assert stranger.get(reverse("orders:attempt_payload", args=[order.pk, 1, "request"])).status_code == 404


def test_a_delivered_order_is_recorded_even_when_the_storage_refuses_its_evidence(
    ordering_shop, buyer, settings, tmp_path, caplog
):
    fill_cart(buyer, ordering_shop.supplier.pk)
    buyer.post(reverse("requisitions:submit"))
    order = PurchaseOrder.objects.get()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "raw_documents": {
            "BACKEND": "ocilink.core.raw_documents.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(blocker / "raw")},
        },
    }

    with caplog.at_level(logging.ERROR):
        status = dispatch_send(dispatch_id=order.dispatch.pk, worker_id="w1")

    order.refresh_from_db()
    assert (status, order.status) == (DispatchStatus.SENT, PurchaseOrderStatus.TO_BE_RECEIVED)
    attempt = DispatchAttempt.objects.get()
    assert (attempt.request.name, attempt.response.name) == ("", "")
    assert not DispatchDocument.objects.exists()
    assert "the storage of raw documents refused it" in caplog.text
