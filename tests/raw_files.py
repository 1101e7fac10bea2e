"""Reading what the storage of raw documents holds, in tests: the whole file behind a FileField, without a bound."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile

from ocilink.core import raw_documents


def raw_bytes(field_file: FieldFile) -> bytes:
    """All bytes of the document a row names (``b""`` when it names none)."""
    if not field_file.name:
        return b""
    with raw_documents.open_document(field_file.name) as handle:
        return bytes(handle.read())


def keep(kind: str, key: str, content: bytes) -> str:
    """Write a document as the services do; its name, for a row made by hand."""
    return raw_documents.save(raw_documents.new_name(kind, key), content)
