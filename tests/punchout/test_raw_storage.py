"""Raw cart returns live in the storage of raw documents, not in the database: written before they are parsed,
deleted by the retention purge and with their rows, and a storage that refuses a write imports nothing."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, timedelta

import pytest
from django.core.files.storage import InMemoryStorage, storages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocilink.core import raw_documents
from ocilink.punchout import services
from ocilink.punchout.models import CartReturn, PunchoutSession
from ocilink.punchout.retention import raw_purge
from ocilink.punchout.states import ReturnOutcome, SessionStatus
from ocilink.requisitions.models import OrderRequestLine
from tests.factories import UserFactory
from tests.raw_files import raw_bytes

from .helpers import cart_body, post_cart, start_punchout

pytestmark = pytest.mark.django_db


def _hook_path(shop) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(shop.user)
    return start_punchout(client, shop.supplier.pk)[1]


def _staff() -> Client:
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    return staff


def test_a_cart_returns_bytes_are_a_private_file_in_the_storage_and_not_in_the_database(shop, raw_documents_dir):
    body = cart_body(3, DESCRIPTION="Canary-7f3e9 paper clips")

    assert post_cart(_hook_path(shop), body).status_code == 303

    stored = CartReturn.objects.get()
    today = timezone.now().astimezone(UTC)
    assert stored.body.name.startswith(f"cart-returns/{today:%Y/%m/%d}/{stored.reference}-")
    path = raw_documents_dir / stored.body.name
    assert path.read_bytes() == body
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # readable by ocilink's user only
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stored.stored_bytes == stored.body_size == len(body)
    # The row holds the name only: no column of the table holds the body.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {CartReturn._meta.db_table}")
        (row,) = cursor.fetchall()
    assert not any(b"Canary-7f3e9" in (v if isinstance(v, bytes | memoryview) else str(v).encode()) for v in row)
    assert OrderRequestLine.objects.count() == 3


def test_the_name_of_a_raw_document_is_unique_and_not_made_from_what_a_user_sees(shop):
    post_cart(_hook_path(shop), cart_body(1))
    post_cart(_hook_path(shop), cart_body(1))

    first, second = CartReturn.objects.order_by("pk")
    for cart_return in (first, second):
        random_part = cart_return.body.name.rsplit("-", 1)[1]
        assert len(random_part) == 16  # 64 random bits, in hex
        assert int(random_part, 16) >= 0
    assert first.body.name != second.body.name


def test_the_body_is_written_before_it_is_parsed(shop, monkeypatch):
    in_storage_when_parsed: list[bool] = []
    real_parse = services.parse_cart

    def parse_after_looking(body, *args, **kwargs):  # type: ignore[no-untyped-def]
        folder = f"{services.CART_RETURNS}/{timezone.now().astimezone(UTC):%Y/%m/%d}"
        _folders, names = raw_documents.storage().listdir(folder)
        in_storage_when_parsed.append(
            any(raw_documents.read(f"{folder}/{name}", limit=len(body) + 1) == body for name in names)
        )
        return real_parse(body, *args, **kwargs)

    monkeypatch.setattr(services, "parse_cart", parse_after_looking)

    post_cart(_hook_path(shop), cart_body(2))

    assert in_storage_when_parsed == [True]
    assert OrderRequestLine.objects.count() == 2


def test_a_spent_start_is_kept_as_a_document_of_its_own_and_the_whole_one_is_deleted(
    shop, raw_documents_dir, django_capture_on_commit_callbacks
):
    """A return that loses the race for its token keeps only its start: a new file; the whole one goes."""
    hook_path = _hook_path(shop)
    token = hook_path.rstrip("/").rsplit("/", 1)[1]
    stale = services.punchout_find_session(token=token)
    post_cart(hook_path, cart_body(1))
    body = cart_body(200)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.punchout_receive(
            session=stale, http_method="POST", meta={"CONTENT_TYPE": "application/x-www-form-urlencoded"}, body=body
        )

    result.cart_return.refresh_from_db()
    assert raw_bytes(result.cart_return.body) == body[: services.SPENT_BODY_KEEP]
    files = sorted(p for p in raw_documents_dir.rglob("*") if p.is_file())
    assert len(files) == 2  # the first return's body and this one's start: the whole second body is gone
    assert sum(p.stat().st_size for p in files) == len(cart_body(1)) + services.SPENT_BODY_KEEP


def test_the_quota_counts_the_bytes_in_the_storage(
    shop, settings, raw_documents_dir, django_capture_on_commit_callbacks
):
    settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR = len(cart_body(50)) + len(cart_body(60)) - 1
    post_cart(_hook_path(shop), cart_body(50))

    with django_capture_on_commit_callbacks(execute=True):
        response = post_cart(_hook_path(shop), cart_body(60))

    assert response.status_code == 429
    refused = CartReturn.objects.get(outcome=ReturnOutcome.OVER_QUOTA)
    assert refused.stored_bytes == len(raw_bytes(refused.body)) == services.SPENT_BODY_KEEP
    stored_on_disk = sum(p.stat().st_size for p in raw_documents_dir.rglob("*") if p.is_file())
    assert stored_on_disk == sum(CartReturn.objects.values_list("stored_bytes", flat=True))
    assert OrderRequestLine.objects.count() == 50  # the refused return's lines were rolled back


# -- the retention purge and deleted rows -----------------------------------------------------------------------------


def test_the_purge_deletes_the_files_and_keeps_the_report(shop, settings, raw_documents_dir):
    settings.PUNCHOUT_RAW_RETENTION_DAYS = 90
    post_cart(_hook_path(shop), cart_body(2))
    old = CartReturn.objects.get()
    path = raw_documents_dir / old.body.name
    CartReturn.objects.update(received_at=timezone.now() - timedelta(days=91))

    assert raw_purge().returns == 1

    old.refresh_from_db()
    assert not path.exists()
    assert (old.body.name, old.stored_bytes, old.purged_at is not None) == ("", 0, True)
    assert (old.outcome, old.line_count, old.body_size) == (ReturnOutcome.IMPORTED, 2, len(cart_body(2)))
    page = _staff().get(reverse("punchout:return_detail", args=[old.reference])).content.decode()
    assert "The raw body and headers were purged on" in page


def test_a_purge_after_a_body_was_already_deleted_still_empties_the_row(shop, settings, raw_documents_dir):
    post_cart(_hook_path(shop), cart_body(1))
    old = CartReturn.objects.get()
    (raw_documents_dir / old.body.name).unlink()
    CartReturn.objects.update(received_at=timezone.now() - timedelta(days=400))

    assert raw_purge().returns == 1

    old.refresh_from_db()
    assert old.purged_at is not None


def test_deleting_a_punchout_deletes_its_raw_returns_once_that_commits(
    shop, raw_documents_dir, django_capture_on_commit_callbacks
):
    hook_path = _hook_path(shop)
    PunchoutSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    post_cart(hook_path, cart_body(2))
    post_cart(hook_path, cart_body(3))
    paths = [raw_documents_dir / name for name in CartReturn.objects.values_list("body", flat=True)]
    assert len(paths) == 2

    with django_capture_on_commit_callbacks(execute=False) as pending:
        PunchoutSession.objects.all().delete()
    assert all(path.exists() for path in paths)  # not before the deletion commits
    for callback in pending:
        callback()

    assert not CartReturn.objects.exists()
    assert not any(path.exists() for path in paths)


# -- pages read a bounded excerpt -------------------------------------------------------------------------------------


def test_the_staff_page_shows_an_excerpt_and_checks_the_whole_body_again(shop):
    body = cart_body(300)
    post_cart(_hook_path(shop), body)
    cart_return = CartReturn.objects.get()

    page = _staff().get(reverse("punchout:return_detail", args=[cart_return.reference])).content.decode()

    assert len(body) > 20_000
    assert "NEW_ITEM-DESCRIPTION%5B1%5D=Article+1" in page
    assert "NEW_ITEM-DESCRIPTION%5B300%5D" not in page  # only the first 20,000 bytes are shown
    assert "<td>Article 300</td>" in page  # the check report covers the whole body


def test_a_body_missing_from_the_storage_is_said_on_the_staff_page(shop, raw_documents_dir):
    post_cart(_hook_path(shop), cart_body(2))
    cart_return = CartReturn.objects.get()
    (raw_documents_dir / cart_return.body.name).unlink()

    page = _staff().get(reverse("punchout:return_detail", args=[cart_return.reference]))

    assert page.status_code == 200
    assert "The raw body is missing from the storage of raw documents" in page.content.decode()


# -- a storage that refuses ------------------------------------------------------------------------------------------


def _refusing_storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    """A file where the storage's folder should be: every write fails as a full or broken disk would."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "raw_documents": {
            "BACKEND": "ocilink.core.raw_documents.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(blocker / "raw")},
        },
    }


def test_a_storage_that_refuses_the_write_imports_nothing_and_says_so(shop, settings, tmp_path, caplog):
    hook_path = _hook_path(shop)
    original = settings.STORAGES
    _refusing_storage(settings, tmp_path)

    with caplog.at_level(logging.ERROR, logger="ocilink.core.raw_documents"):
        response = post_cart(hook_path, cart_body(2))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = response.content.decode()
    assert "ocilink could not store what the webshop sent" in text
    assert "this visit to the webshop is still valid" in text
    assert not CartReturn.objects.exists()
    assert OrderRequestLine.objects.count() == 0
    session = PunchoutSession.objects.get()
    assert (session.used_at, session.status) == (None, SessionStatus.STARTED)
    assert "could not write cart-returns/" in caplog.text
    # Once the storage works again, the same punchout imports the cart.
    settings.STORAGES = original
    assert post_cart(hook_path, cart_body(2)).status_code == 303
    assert OrderRequestLine.objects.count() == 2


def test_a_refused_write_in_dutch(shop, settings, tmp_path):
    hook_path = _hook_path(shop)
    _refusing_storage(settings, tmp_path)
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "nl"

    response = client.generic("POST", hook_path, cart_body(1), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 503
    assert "ocilink kon niet bewaren wat de webshop stuurde" in response.content.decode()


def test_a_failure_after_the_write_keeps_the_file_records_nothing_and_leaves_the_token_unused(
    shop, monkeypatch, raw_documents_dir, caplog
):
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "order_request_add_punchout_lines", broken)
    hook_path = _hook_path(shop)

    with caplog.at_level(logging.ERROR, logger="ocilink.punchout.services"):
        response = Client(raise_request_exception=False).generic(
            "POST", hook_path, cart_body(2), content_type="application/x-www-form-urlencoded"
        )

    assert response.status_code == 500
    assert not CartReturn.objects.exists()
    assert PunchoutSession.objects.get().used_at is None
    (kept,) = [p for p in raw_documents_dir.rglob("*") if p.is_file()]
    assert kept.read_bytes() == cart_body(2)
    assert str(kept.relative_to(raw_documents_dir)) in caplog.text  # the log says where the body is
    # Days later the sweep deletes the file no row names.
    later = (timezone.now() + timedelta(days=raw_documents.ORPHAN_GRACE_DAYS)).astimezone(UTC).date()
    assert raw_documents.sweep_orphans(today=later).deleted == 1
    assert not kept.exists()


# -- another backend ---------------------------------------------------------------------------------------------------


def test_another_storage_backend_keeps_the_returns(shop, settings, raw_documents_dir):
    settings.STORAGES = {**settings.STORAGES, "raw_documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    body = cart_body(2)

    assert post_cart(_hook_path(shop), body).status_code == 303

    cart_return = CartReturn.objects.get()
    memory = storages["raw_documents"]
    assert isinstance(memory, InMemoryStorage)
    assert memory.open(cart_return.body.name).read() == body
    assert cart_return.read_body() == body
    assert not any(p.is_file() for p in raw_documents_dir.rglob("*"))
    page = _staff().get(reverse("punchout:return_detail", args=[cart_return.reference])).content.decode()
    assert "Article 2" in page
