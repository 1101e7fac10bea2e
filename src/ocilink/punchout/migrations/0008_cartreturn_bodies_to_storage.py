"""Raw cart returns leave the database (2 of 3): each kept body is written to the storage of raw documents
(``STORAGES["raw_documents"]``: RAW_DOCUMENTS_DIR by default), one row at a time. Reversible: the way back reads
them into the rows again and deletes the files."""

from django.db import migrations

from ocilink.core import raw_documents


def bodies_to_storage(apps, schema_editor):
    raw_documents.column_to_storage(
        apps.get_model("punchout", "CartReturn"),
        column="body",
        field="body_file",
        kind="cart-returns",
        key=lambda row: row["reference"],
        at="received_at",
        extra=["reference"],
    )


def bodies_to_database(apps, schema_editor):
    raw_documents.storage_to_column(apps.get_model("punchout", "CartReturn"), field="body_file", column="body")


class Migration(migrations.Migration):

    dependencies = [
        ('punchout', '0007_cartreturn_body_file'),
    ]

    operations = [
        migrations.RunPython(bodies_to_storage, bodies_to_database),
    ]
