"""Raw documents: the bytes ocilink keeps as evidence (what a webshop posted to HOOK_URL, the exact document a
supplier received, what each try sent and what came back), behind Django's storage API.

They live in the storage ``STORAGES["raw_documents"]``: by default :class:`PrivateFileSystemStorage` in
``RAW_DOCUMENTS_DIR``; ``RAW_DOCUMENTS_STORAGE`` names another backend (object storage through django-storages, for
one) without a change of code. The database keeps only each document's name. Nothing here is ever served by URL:
a page reads a bounded excerpt, a download streams the file through a view that checks who may see it.

A name is ``<kind>/<YYYY>/<MM>/<DD>/<key>-<random>``: the kind and the day (UTC) it was written, a stable key that
leads a person to its row (a return's reference, a dispatch's id), and 64 random bits, so names are unique and
cannot be guessed from anything a user sees. A name never changes: keeping less of a document writes a new one.

A document is written before the row that names it is committed, so a rolled-back transaction or a killed process
can leave a file that no row names. The apps register each kind with :func:`register_kind`, and
:func:`sweep_orphans` (a periodic job of every worker) deletes such files once they are ``ORPHAN_GRACE_DAYS`` old.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any, cast

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from .health import CheckResult

logger = logging.getLogger(__name__)

ALIAS = "raw_documents"
# A file that no row names is deleted once its day folder is this many days old: long after any transaction that
# wrote it has ended, and long enough for an operator to recover the body of a return whose recording failed (the
# error in the log names its file).
ORPHAN_GRACE_DAYS = 3
# How many day folders before the grace period a worker's sweep looks at; older ones are swept by hand
# (`ocilink sweep_raw_documents --days N`).
ORPHAN_SCAN_DAYS = 7
# How often a worker sweeps (the folders of a day change once it is over, so a few times a day is plenty).
ORPHAN_SWEEP_INTERVAL_SECONDS = 6 * 60 * 60
# Names asked of the database at once while sweeping.
SWEEP_CHUNK = 500


class RawDocumentError(Exception):
    """A raw document could not be written or read. The message is for the platform's operator: it says what to
    check (the folder or bucket, its rights, the space left), never the document's contents."""


class RawDocumentMissing(RawDocumentError):
    """A row names a document that is not in the storage (deleted by hand, or restored from a backup without it)."""


class PrivateFileSystemStorage(FileSystemStorage):
    """The default backend: files readable by this process's user only, synced to disk before a save returns (a
    return's body is committed evidence, like the row that names it), and no URL (nothing is served from here)."""

    def __init__(self, *, fsync: bool = True, **options: Any) -> None:
        options.setdefault("file_permissions_mode", 0o600)
        options.setdefault("directory_permissions_mode", 0o700)
        options["base_url"] = None
        super().__init__(**options)
        self.fsync = fsync

    def _save(self, name: str, content: Any) -> str:
        """Write a new file: one open (never over an existing one), its bytes, one fsync of the file and one of its
        folder, so that the bytes and the new name are both on disk before the caller commits a row that names it
        (POSIX makes no promise for the name without the folder's fsync). A folder made for it (the first document
        of a day) is synced into its parent the same way."""
        if hasattr(content, "temporary_file_path"):  # an upload spooled to a file: Django moves it into place
            saved: str = super()._save(name, content)  # type: ignore[misc]
            if self.fsync:
                self._sync(self.path(saved))
                self._sync(os.path.dirname(self.path(saved)))
            return saved
        path = self.path(name)
        folder = os.path.dirname(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        mode = self.file_permissions_mode if self.file_permissions_mode is not None else 0o666
        made: list[str] = []
        try:
            descriptor = os.open(path, flags, mode)
        except FileNotFoundError:
            made = self._make_folders(folder)
            descriptor = os.open(path, flags, mode)
        except FileExistsError:  # a name from new_name never exists; any other gets a free one
            return self._save(self.get_available_name(name), content)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                if self.file_permissions_mode is not None:
                    os.fchmod(handle.fileno(), self.file_permissions_mode)  # the umask does not decide
                if self.fsync:
                    os.fsync(handle.fileno())
        except BaseException:
            with contextlib.suppress(OSError):  # no half-written file is left behind
                os.unlink(path)
            raise
        if self.fsync:
            for synced in [folder, *made]:
                self._sync(synced)
        self._ensure_location_group_id(path)  # type: ignore[attr-defined]  # as Django's own save does
        return os.path.relpath(path, self.location).replace("\\", "/")

    def _make_folders(self, folder: str) -> list[str]:
        """Make ``folder`` and any missing parents, each with the folders' mode; the parents whose entries changed."""
        missing = []
        current = folder
        while not os.path.isdir(current) and current != os.path.dirname(current):
            missing.append(current)
            current = os.path.dirname(current)
        mode = self.directory_permissions_mode if self.directory_permissions_mode is not None else 0o777
        for made in reversed(missing):
            try:
                os.mkdir(made, mode)
            except FileExistsError:  # another process made it meanwhile
                if not os.path.isdir(made):
                    raise
                continue
            os.chmod(made, mode)  # the umask does not decide
        return [os.path.dirname(made) for made in missing]

    @staticmethod
    def _sync(path: str) -> None:
        """fsync a file or a folder by its path."""
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def url(self, name: str | None) -> str:
        raise RawDocumentError("Raw documents have no URL: a view reads them and checks who may see them.")


class _RawStorage(LazyObject):
    """``storages["raw_documents"]``, looked up when first used and again after ``STORAGES`` changes (a test's
    override): the models' FileFields hold this proxy, so their migrations never name a backend."""

    def _setup(self) -> None:
        self._wrapped = storages[ALIAS]


raw_storage = _RawStorage()


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        raw_storage._wrapped = empty  # type: ignore[assignment]


setting_changed.connect(_reset, dispatch_uid="ocilink.core.raw_documents.reset")


def storage() -> Storage:
    """The storage of raw documents; the ``storage`` callable of the models' FileFields."""
    return cast(Storage, raw_storage)


# -- names ------------------------------------------------------------------------------------------------------------


def new_name(kind: str, key: str, *, at: datetime | None = None) -> str:
    """A fresh name for a document of ``kind`` (e.g. ``cart-returns``) with the stable ``key`` (e.g. a reference),
    in the folder of the day of ``at`` (UTC)."""
    day = (at or timezone.now()).astimezone(UTC).date()
    safe_key = storage().get_valid_name(key) or "document"
    return f"{_day_folder(kind, day)}/{safe_key}-{secrets.token_hex(8)}"


def _day_folder(kind: str, day: date) -> str:
    return f"{kind}/{day:%Y}/{day:%m}/{day:%d}"


# -- write, read, delete ----------------------------------------------------------------------------------------------


def save(name: str, content: bytes) -> str:
    """Write ``content`` under ``name`` (a fresh one from :func:`new_name`); the name it was stored under.

    Raises :class:`RawDocumentError` when the storage refuses (no space, no rights, unreachable): the caller must
    then not go on as if the document were kept."""
    try:
        stored = storage().save(name, ContentFile(content))
    except Exception as exc:  # the backend's own errors: OSError for files, a client error for object storage
        logger.error(
            "Raw documents: could not write %s (%s bytes): %s: %s", name, len(content), type(exc).__name__, exc
        )
        raise RawDocumentError(
            f"The raw document {name} could not be written to the storage for raw documents "
            f"({type(exc).__name__}). Check that its folder or bucket exists, is writable by ocilink and has space."
        ) from exc
    return str(stored)


def read(name: str, *, limit: int) -> bytes:
    """At most the first ``limit`` bytes of a document (``b""`` for no name): never more, whatever its size."""
    if not name or limit <= 0:
        return b""
    with open_document(name) as handle:
        return bytes(handle.read(limit))


def open_document(name: str) -> IO[bytes]:
    """The document as an open binary file, to stream (a download) or read in parts; the caller closes it."""
    try:
        return cast(IO[bytes], storage().open(name, "rb"))
    except FileNotFoundError as exc:
        raise RawDocumentMissing(f"The raw document {name} is not in the storage for raw documents.") from exc
    except Exception as exc:
        if not storage().exists(name):
            raise RawDocumentMissing(f"The raw document {name} is not in the storage for raw documents.") from exc
        logger.error("Raw documents: could not read %s: %s: %s", name, type(exc).__name__, exc)
        raise RawDocumentError(
            f"The raw document {name} could not be read from the storage for raw documents ({type(exc).__name__})."
        ) from exc


def delete(name: str) -> None:
    """Delete a document; a missing one is no error (deleting twice is harmless)."""
    if not name:
        return
    try:
        storage().delete(name)
    except FileNotFoundError:
        return


def delete_on_commit(*names: str) -> None:
    """Delete these documents once the current transaction commits (at once outside one); never on a rollback."""
    kept = [name for name in names if name]
    if not kept:
        return

    def _delete() -> None:
        for name in kept:
            try:
                delete(name)
            except Exception:  # a file left behind is swept later; the committed change stands
                logger.exception("Raw documents: could not delete %s", name)

    transaction.on_commit(_delete)


# -- orphans ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of raw document: its folder, and the model and fields whose rows name its documents."""

    folder: str
    model: Any
    fields: tuple[str, ...]

    def named(self, names: list[str]) -> set[str]:
        """Those of ``names`` that a row names."""
        found: set[str] = set()
        for field in self.fields:
            found.update(self.model.objects.filter(**{f"{field}__in": names}).values_list(field, flat=True))
        return found


_KINDS: dict[str, Kind] = {}


def register_kind(folder: str, model: Any, *fields: str) -> None:
    """Register a kind of document (an app does, from ``AppConfig.ready()``): the files in ``folder`` belong to the
    rows of ``model`` that name them in ``fields``. A deleted row's documents are deleted once its deletion commits
    (also when a tenant's deletion cascades to it), and :func:`sweep_orphans` deletes the files no row names."""
    _KINDS[folder] = Kind(folder=folder, model=model, fields=fields)

    def _row_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        delete_on_commit(*(getattr(instance, field).name or "" for field in fields))

    post_delete.connect(_row_deleted, sender=model, weak=False, dispatch_uid=f"ocilink.raw_documents.{folder}")


@dataclass(frozen=True)
class SweepReport:
    folders: int
    files: int
    deleted: int


def _days(*, today: date, days: int, grace: int) -> Iterator[date]:
    newest = today - timedelta(days=grace)
    for offset in range(days + 1):
        yield newest - timedelta(days=offset)


def sweep_orphans(
    *, days: int = ORPHAN_SCAN_DAYS, grace: int = ORPHAN_GRACE_DAYS, today: date | None = None
) -> SweepReport:
    """Delete the documents that no row names in the day folders from ``grace`` to ``grace + days`` days ago."""
    today = today or timezone.now().astimezone(UTC).date()
    folders = files = deleted = 0
    for kind in list(_KINDS.values()):
        for day in _days(today=today, days=days, grace=grace):
            folder = _day_folder(kind.folder, day)
            try:
                _subfolders, names = storage().listdir(folder)
            except (FileNotFoundError, NotADirectoryError):
                continue
            folders += 1
            paths = [f"{folder}/{name}" for name in names]
            files += len(paths)
            for start in range(0, len(paths), SWEEP_CHUNK):
                chunk = paths[start : start + SWEEP_CHUNK]
                named = kind.named(chunk)
                for path in chunk:
                    if path not in named:
                        delete(path)
                        deleted += 1
    if deleted:
        logger.info("Raw documents: deleted %s files that no row names (of %s in %s folders)", deleted, files, folders)
    return SweepReport(folders=folders, files=files, deleted=deleted)


def sweep_orphans_periodic() -> SweepReport:
    return sweep_orphans()


# -- moving bytes between a column and the storage (the migrations that took raw documents out of the database) ----


def column_to_storage(
    model: Any,
    *,
    column: str,
    field: str,
    kind: str,
    key: Callable[[dict[str, Any]], str],
    at: str,
    extra: Iterable[str],
) -> int:
    """Write the bytes of ``column`` of every row of ``model`` that has some into the storage and set ``field`` to
    the name; one row at a time (a row may hold megabytes). ``key(row)`` builds the stable part of the name from
    the values of ``extra``; ``at`` names the timestamp whose day is its folder. The number of documents written."""
    from django.db.models.functions import Length

    written = 0
    pks = list(
        model.objects.annotate(_size=Length(column)).filter(_size__gt=0).order_by("pk").values_list("pk", flat=True)
    )
    for pk in pks:
        row = model.objects.filter(pk=pk).values(column, at, *extra).get()
        name = save(new_name(kind, key(row), at=row[at]), bytes(row[column]))
        model.objects.filter(pk=pk).update(**{field: name})
        written += 1
    return written


def storage_to_column(model: Any, *, field: str, column: str) -> int:
    """The way back: read each named document into ``column``, empty ``field`` and delete the file."""
    written = 0
    for pk, name in list(model.objects.exclude(**{field: ""}).order_by("pk").values_list("pk", field)):
        try:
            content = read(name, limit=2**31 - 1)
        except RawDocumentMissing:
            content = b""
        model.objects.filter(pk=pk).update(**{column: content, field: ""})
        delete_on_commit(name)  # only once the bytes are back in the database for good
        written += 1
    return written


# -- readiness -------------------------------------------------------------------------------------------------------


def readiness_check() -> CheckResult:
    """``/readyz``: raw documents can be written. For a folder (the default storage): it is a folder this process
    may write to, so a cart return is not refused for want of it. Another backend (object storage) is not asked:
    a request to it on every probe would cost more than it tells; its errors show in the log and the returns."""
    backend = storage()
    if not isinstance(backend, FileSystemStorage):
        return CheckResult(True, {"checked": False})
    location = str(backend.location)
    if not os.path.isdir(location):
        # Not made yet (a fresh installation): the first save makes it, if its parent lets it.
        parent = os.path.dirname(location.rstrip(os.sep)) or os.sep
        writable = os.path.isdir(parent) and os.access(parent, os.W_OK | os.X_OK)
    else:
        writable = os.access(location, os.W_OK | os.X_OK)
    if writable:
        return CheckResult(True)
    logger.warning("Readiness: the folder for raw documents %s cannot be written", location)
    return CheckResult(False, {"error": "the folder for raw documents cannot be written"})
