"""The dispatch records now belong to ``orders`` (see its migration 0002); this app keeps the ordering methods only.

State only: the tables stay, and ``orders`` takes them over.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DispatchDocument'),
                migrations.DeleteModel(name='DispatchAttempt'),
                migrations.DeleteModel(name='Dispatch'),
            ],
        ),
    ]
