"""Dispatch documents and the bytes of each try leave the database: names in the storage of raw documents instead
of the bytes (1 of 3)."""

import ocilink.core.raw_documents
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0006_notice'),
    ]

    operations = [
        migrations.AlterField(
            model_name='dispatchdocument',
            name='content',
            field=models.BinaryField(blank=True, default=b''),
        ),
        migrations.AddField(
            model_name='dispatchdocument',
            name='content_file',
            field=models.FileField(blank=True, default='', max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
        migrations.AddField(
            model_name='dispatchattempt',
            name='request_file',
            field=models.FileField(blank=True, default='', max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
        migrations.AddField(
            model_name='dispatchattempt',
            name='response_file',
            field=models.FileField(blank=True, default='', max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
    ]
