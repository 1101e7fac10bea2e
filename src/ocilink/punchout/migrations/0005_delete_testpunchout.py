# The test punchouts are punchout sessions now (0004 moved them).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('punchout', '0004_trials_into_sessions'),
    ]

    operations = [
        migrations.DeleteModel(
            name='TestPunchout',
        ),
    ]
