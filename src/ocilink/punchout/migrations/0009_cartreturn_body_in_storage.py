"""Raw cart returns leave the database (3 of 3): the column of bytes goes, the name takes its place."""

import ocilink.core.raw_documents
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('punchout', '0008_cartreturn_bodies_to_storage'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='cartreturn',
            name='body',
        ),
        migrations.RenameField(
            model_name='cartreturn',
            old_name='body_file',
            new_name='body',
        ),
        migrations.AlterField(
            model_name='cartreturn',
            name='body',
            field=models.FileField(blank=True, max_length=255, storage=ocilink.core.raw_documents.storage, upload_to=''),
        ),
    ]
