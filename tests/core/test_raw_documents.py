"""The storage of raw documents: names, bounded reads, no URL, a storage that refuses, and the sweep of orphans."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, storages
from django.core.management import call_command

from ocilink.core import raw_documents
from ocilink.core.raw_documents import RawDocumentError, RawDocumentMissing
from ocilink.punchout.models import CartReturn
from ocilink.punchout.services import CART_RETURNS
from tests.raw_files import raw_bytes


def test_a_name_holds_its_kind_day_key_and_64_random_bits():
    at = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)

    first = raw_documents.new_name("cart-returns", "RT-7QK2M9XD", at=at)
    second = raw_documents.new_name("cart-returns", "RT-7QK2M9XD", at=at)

    assert first.startswith("cart-returns/2026/03/04/RT-7QK2M9XD-")
    assert len(first.rsplit("-", 1)[1]) == 16
    assert first != second


def test_a_key_cannot_leave_its_folder():
    name = raw_documents.new_name("dispatch-documents", "../../etc/passwd")

    assert "/../" not in name
    assert name.count("/") == 4  # kind/YYYY/MM/DD/file


def test_save_and_read_back_within_a_bound(raw_documents_dir):
    name = raw_documents.save(raw_documents.new_name("test", "doc"), b"0123456789")

    assert (raw_documents_dir / name).read_bytes() == b"0123456789"
    assert raw_documents.read(name, limit=4) == b"0123"
    assert raw_documents.read(name, limit=100) == b"0123456789"
    assert raw_documents.read("", limit=100) == b""


def test_a_document_and_its_folders_are_private_whatever_the_umask(raw_documents_dir):
    previous = os.umask(0)
    try:
        name = raw_documents.save(raw_documents.new_name("test", "doc"), b"private")
    finally:
        os.umask(previous)

    path = raw_documents_dir / name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    folders = [raw_documents_dir / parent for parent in path.relative_to(raw_documents_dir).parents][:-1]
    assert [stat.S_IMODE(folder.stat().st_mode) for folder in folders] == [0o700] * 4  # kind/YYYY/MM/DD


def test_a_save_syncs_the_bytes_the_new_name_and_a_new_folder_to_disk(raw_documents_dir, monkeypatch):
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(os.fstat(descriptor).st_ino)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    first = raw_documents.save(raw_documents.new_name("test", "first"), b"first")  # makes the day's folders
    made = list(synced)
    synced.clear()
    second = raw_documents.save(raw_documents.new_name("test", "second"), b"second")  # the folders are there

    day = (raw_documents_dir / first).parent
    month, year, kind = day.parent, day.parent.parent, day.parent.parent.parent
    # The file, its folder, and every folder whose entries changed: the parents of the folders made.
    expected = [raw_documents_dir / first, day, month, year, kind, raw_documents_dir]
    assert made == [path.stat().st_ino for path in expected]
    assert synced == [(raw_documents_dir / second).stat().st_ino, day.stat().st_ino]


def test_a_name_that_is_taken_gets_a_free_one_and_leaves_the_first_alone(raw_documents_dir):
    name = raw_documents.new_name("test", "doc")

    first = raw_documents.save(name, b"first")
    second = raw_documents.save(name, b"second")

    assert first == name
    assert second != name
    assert (raw_documents_dir / first).read_bytes() == b"first"
    assert (raw_documents_dir / second).read_bytes() == b"second"


def test_a_write_that_fails_halfway_leaves_no_file(raw_documents_dir):
    class Broken(ContentFile):
        def chunks(self, chunk_size=None):  # type: ignore[no-untyped-def]
            yield b"half"
            raise OSError("the disk is full")

    name = raw_documents.new_name("test", "doc")
    with pytest.raises(OSError, match="the disk is full"):
        raw_documents.storage().save(name, Broken(b"whatever"))

    assert not (raw_documents_dir / name).exists()
    assert (raw_documents_dir / name).parent.is_dir()


def test_a_missing_document_is_said_as_such(raw_documents_dir):
    with pytest.raises(RawDocumentMissing):
        raw_documents.read("test/2026/01/01/gone-0000000000000000", limit=10)


def test_raw_documents_have_no_url():
    with pytest.raises(RawDocumentError, match="no URL"):
        raw_documents.storage().url("cart-returns/2026/01/01/x")


def test_a_write_the_storage_refuses_raises_with_what_to_check(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "raw_documents": {
            "BACKEND": "ocilink.core.raw_documents.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(blocker / "raw")},
        },
    }

    with pytest.raises(RawDocumentError, match="exists, is writable by ocilink and has space"):
        raw_documents.save(raw_documents.new_name("test", "doc"), b"data")


def test_the_storage_follows_an_override_of_storages(settings):
    settings.STORAGES = {**settings.STORAGES, "raw_documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}

    name = raw_documents.save(raw_documents.new_name("test", "doc"), b"in memory")

    assert isinstance(storages["raw_documents"], InMemoryStorage)
    assert storages["raw_documents"].open(name).read() == b"in memory"
    assert isinstance(CartReturn._meta.get_field("body").storage.open(name).read(), bytes)


# -- orphans -----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_deletes_old_files_no_row_names_and_nothing_else(shop, raw_documents_dir):
    old_day = datetime(2026, 1, 10, 12, tzinfo=UTC)
    named = raw_documents.save(raw_documents.new_name(CART_RETURNS, "RT-NAMED001", at=old_day), b"named")
    orphan = raw_documents.save(raw_documents.new_name(CART_RETURNS, "RT-ORPHAN01", at=old_day), b"orphan")
    recent = raw_documents.save(
        raw_documents.new_name(CART_RETURNS, "RT-RECENT01", at=datetime(2026, 1, 12, tzinfo=UTC)), b"recent"
    )
    other_kind = raw_documents.save(raw_documents.new_name("not-registered", "x", at=old_day), b"other")
    session = shop.organization.punchout_sessions.create(
        token_hash="0" * 64, expires_at=old_day, supplier=shop.supplier, user=shop.user
    )
    CartReturn.objects.create(session=session, reference="RT-NAMED001", received_at=old_day, body=named)

    report = raw_documents.sweep_orphans(today=date(2026, 1, 13))  # 10 January is three days ago: swept

    assert (report.deleted, report.files) == (1, 2)
    assert not (raw_documents_dir / orphan).exists()
    for kept in (named, recent, other_kind):
        assert (raw_documents_dir / kept).exists()
    assert raw_bytes(CartReturn.objects.get().body) == b"named"
    # The next sweep finds nothing more.
    assert raw_documents.sweep_orphans(today=date(2026, 1, 13)).deleted == 0


@pytest.mark.django_db
def test_the_sweep_by_hand_reaches_further_back(raw_documents_dir):
    orphan = raw_documents.save(
        raw_documents.new_name(CART_RETURNS, "RT-ANCIENT1", at=datetime(2025, 6, 1, tzinfo=UTC)), b"old"
    )

    assert raw_documents.sweep_orphans(today=date(2026, 1, 13)).deleted == 0
    assert raw_documents.sweep_orphans(today=date(2026, 1, 13), days=365).deleted == 1
    assert not (raw_documents_dir / orphan).exists()


def test_every_worker_sweeps_orphans_now_and_then():
    from ocilink.core.periodic import periodic_jobs

    jobs = {job.name: job for job in periodic_jobs()}

    assert jobs["raw-documents-orphans"].interval() == raw_documents.ORPHAN_SWEEP_INTERVAL_SECONDS


def test_readiness_says_when_the_folder_for_raw_documents_cannot_be_written(settings, tmp_path):
    assert raw_documents.readiness_check().ok
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "raw_documents": {
            "BACKEND": "ocilink.core.raw_documents.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(blocker / "raw")},
        },
    }

    check = raw_documents.readiness_check()

    assert (check.ok, check.detail) == (False, {"error": "the folder for raw documents cannot be written"})


def test_readiness_does_not_ask_object_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "raw_documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}

    assert raw_documents.readiness_check().detail == {"checked": False}


@pytest.mark.django_db
def test_the_sweep_command_reaches_as_far_back_as_asked(raw_documents_dir):
    orphan = raw_documents.save(
        raw_documents.new_name(CART_RETURNS, "RT-ANCIENT2", at=datetime(2020, 6, 1, tzinfo=UTC)), b"old"
    )
    out = StringIO()

    call_command("sweep_raw_documents", "--days", "5000", stdout=out)

    assert not (raw_documents_dir / orphan).exists()
    assert "deleted 1 that no row names" in out.getvalue()
