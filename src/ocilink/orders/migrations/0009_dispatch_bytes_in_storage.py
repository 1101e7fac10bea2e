"""Dispatch documents and the bytes of each try leave the database (3 of 3): the columns of bytes go, the names
take their place."""

import ocilink.core.raw_documents
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0008_dispatch_bytes_to_storage'),
    ]

    operations = [
        migrations.RemoveField(model_name='dispatchdocument', name='content'),
        migrations.RenameField(model_name='dispatchdocument', old_name='content_file', new_name='content'),
        migrations.RemoveField(model_name='dispatchattempt', name='request'),
        migrations.RenameField(model_name='dispatchattempt', old_name='request_file', new_name='request'),
        migrations.RemoveField(model_name='dispatchattempt', name='response'),
        migrations.RenameField(model_name='dispatchattempt', old_name='response_file', new_name='response'),
        migrations.AlterField(
            model_name='dispatchattempt',
            name='request',
            field=models.FileField(blank=True, max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
        migrations.AlterField(
            model_name='dispatchattempt',
            name='response',
            field=models.FileField(blank=True, max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
        migrations.AlterField(
            model_name='dispatchdocument',
            name='content',
            field=models.FileField(max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
    ]
