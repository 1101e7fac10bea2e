"""The migrations that took raw documents out of the database: back to the columns of bytes and forward to the
storage again, with real rows (a cart return, a placed order with its try and its document), on SQLite and
PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocilink.core import raw_documents
from ocilink.orders.dispatches import dispatch_send
from ocilink.orders.models import DispatchAttempt, DispatchDocument, PurchaseOrder
from ocilink.punchout.models import CartReturn
from ocilink.punchout.retention import raw_purge
from tests.punchout.helpers import cart_body, post_cart, start_punchout
from tests.raw_files import raw_bytes

from .conftest import fill_cart

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("punchout", "0006_return_storage_and_retention"), ("orders", "0006_notice")]
AFTER = [("punchout", "0009_cartreturn_body_in_storage"), ("orders", "0009_dispatch_bytes_in_storage")]


def _migrate(targets: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """Migrate the two apps to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _files(folder) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def test_raw_documents_go_back_into_the_database_and_out_again(ordering_shop, buyer, raw_documents_dir):
    fill_cart(buyer, ordering_shop.supplier.pk)
    buyer.post(reverse("requisitions:submit"))
    order = PurchaseOrder.objects.get()
    dispatch_send(dispatch_id=order.dispatch.pk, worker_id="w1")
    cart_return = CartReturn.objects.get()
    body = raw_bytes(cart_return.body)
    attempt = DispatchAttempt.objects.get()
    sent, answer = raw_bytes(attempt.request), raw_bytes(attempt.response)
    document = raw_bytes(DispatchDocument.objects.get().content)
    assert (document, answer) == (b"<cXML/>", b"<Status code='200'/>")
    assert sent.startswith(b"<cXML>")
    assert body.startswith(b"NEW_ITEM-")
    assert len(_files(raw_documents_dir)) == 4

    try:
        old = _migrate(BEFORE)

        old_return = old.get_model("punchout", "CartReturn").objects.get()
        old_attempt = old.get_model("orders", "DispatchAttempt").objects.get()
        old_document = old.get_model("orders", "DispatchDocument").objects.get()
        assert bytes(old_return.body) == body
        assert (bytes(old_attempt.request), bytes(old_attempt.response)) == (sent, answer)
        assert bytes(old_document.content) == document
        assert _files(raw_documents_dir) == set()  # back in the database, the files are gone

        new = _migrate(AFTER)

        new_return = new.get_model("punchout", "CartReturn").objects.get()
        assert new_return.body.name.startswith(f"cart-returns/{cart_return.received_at.astimezone(UTC):%Y/%m/%d}/")
        assert new_return.body.name.split("/")[-1].startswith(f"{cart_return.reference}-")
        new_attempt = new.get_model("orders", "DispatchAttempt").objects.get()
        new_document = new.get_model("orders", "DispatchDocument").objects.get()
        assert raw_documents.read(new_return.body.name, limit=10**7) == body
        assert raw_documents.read(new_attempt.request.name, limit=10**7) == sent
        assert raw_documents.read(new_attempt.response.name, limit=10**7) == answer
        assert raw_documents.read(new_document.content.name, limit=10**7) == document
        assert _files(raw_documents_dir) == {
            new_return.body.name,
            new_attempt.request.name,
            new_attempt.response.name,
            new_document.content.name,
        }
        # The columns of bytes are gone: the tables hold names only.
        with connection.cursor() as cursor:
            columns = {
                c.name: c for c in connection.introspection.get_table_description(cursor, CartReturn._meta.db_table)
            }
        assert "body_file" not in columns
        body_column = columns["body"]
        assert connection.introspection.get_field_type(body_column.type_code, body_column) == "CharField"
    finally:
        _migrate(AFTER)
    # The application's own models read what the migration wrote.
    assert CartReturn.objects.get().read_body() == body


def test_a_purged_return_stays_without_a_document(shop, raw_documents_dir):
    client = Client()
    client.force_login(shop.user)
    post_cart(start_punchout(client, shop.supplier.pk)[1], cart_body(1))
    CartReturn.objects.update(received_at=timezone.now() - timedelta(days=400))
    raw_purge()

    try:
        old = _migrate(BEFORE)
        assert bytes(old.get_model("punchout", "CartReturn").objects.get().body) == b""
        new = _migrate(AFTER)
        assert new.get_model("punchout", "CartReturn").objects.get().body.name == ""
    finally:
        _migrate(AFTER)
    assert _files(raw_documents_dir) == set()
