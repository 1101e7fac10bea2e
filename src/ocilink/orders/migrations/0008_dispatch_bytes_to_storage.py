"""Dispatch documents and the bytes of each try leave the database (2 of 3): each is written to the storage of raw
documents (``STORAGES["raw_documents"]``: RAW_DOCUMENTS_DIR by default), one row at a time. Reversible: the way
back reads them into the rows again and deletes the files."""

from django.db import migrations

from ocilink.core import raw_documents


def bytes_to_storage(apps, schema_editor):
    raw_documents.column_to_storage(
        apps.get_model("orders", "DispatchDocument"),
        column="content",
        field="content_file",
        kind="dispatch-documents",
        key=lambda row: f"{row['dispatch_id']}-{row['name']}",
        at="built_at",
        extra=["dispatch_id", "name"],
    )
    attempt = apps.get_model("orders", "DispatchAttempt")
    for part in ("request", "response"):
        raw_documents.column_to_storage(
            attempt,
            column=part,
            field=f"{part}_file",
            kind="dispatch-attempts",
            key=lambda row, part=part: f"{row['dispatch_id']}-{row['number']}-{part}",
            at="started_at",
            extra=["dispatch_id", "number"],
        )


def bytes_to_database(apps, schema_editor):
    raw_documents.storage_to_column(
        apps.get_model("orders", "DispatchDocument"), field="content_file", column="content"
    )
    attempt = apps.get_model("orders", "DispatchAttempt")
    for part in ("request", "response"):
        raw_documents.storage_to_column(attempt, field=f"{part}_file", column=part)


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0007_dispatch_files'),
    ]

    operations = [
        migrations.RunPython(bytes_to_storage, bytes_to_database),
    ]
