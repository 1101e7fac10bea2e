"""Raw cart returns leave the database: a name in the storage of raw documents instead of the bytes (1 of 3)."""

import ocilink.core.raw_documents
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('punchout', '0006_return_storage_and_retention'),
    ]

    operations = [
        migrations.AlterField(
            model_name='cartreturn',
            name='body',
            field=models.BinaryField(blank=True, default=b''),
        ),
        migrations.AddField(
            model_name='cartreturn',
            name='body_file',
            field=models.FileField(blank=True, default='', max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
    ]
