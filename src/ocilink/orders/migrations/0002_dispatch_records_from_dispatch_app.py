"""The dispatch records move from the former ``dispatch`` app to ``orders``, the orders they deliver.

The tables stay as they are (state only); the next migration gives them this app's names.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('orders', '0001_initial'),
        ('dispatch', '0002_dispatch_records_move_to_orders'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Dispatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('method', models.CharField(max_length=30)),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Sending'), ('retry_wait', 'Waiting to retry'), ('sent', 'Sent'), ('failed', 'Failed'), ('held', 'Held for inspection'), ('cancelled', 'Cancelled')], default='pending', max_length=20)),
                        ('payload_id', models.CharField(max_length=200, unique=True)),
                        ('timestamp', models.DateTimeField()),
                        ('file_name', models.CharField(max_length=255)),
                        ('message_id', models.CharField(max_length=255)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('give_up_at', models.DateTimeField(help_text='Transient failures are retried until then.')),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('attempt_count', models.PositiveIntegerField(default=0)),
                        ('lease_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('worker_id', models.CharField(blank=True, max_length=64)),
                        ('task_id', models.CharField(blank=True, max_length=64)),
                        ('last_error', models.TextField(blank=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dispatches', to='accounts.organization')),
                        ('purchase_order', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='dispatch', to='orders.purchaseorder')),
                    ],
                    options={
                        'db_table': 'dispatch_dispatch',
                        'verbose_name': 'dispatch',
                        'verbose_name_plural': 'dispatches',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DispatchAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField()),
                        ('worker_id', models.CharField(blank=True, max_length=64)),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('outcome', models.CharField(choices=[('sending', 'In progress'), ('sent', 'Delivered'), ('transient', 'Failed, will retry'), ('permanent', 'Failed'), ('crashed', 'Interrupted: the worker stopped')], default='sending', max_length=20)),
                        ('error_class', models.CharField(blank=True, max_length=200)),
                        ('message', models.TextField(blank=True)),
                        ('request', models.BinaryField(default=b'')),
                        ('response', models.BinaryField(default=b'')),
                        ('evidence', models.JSONField(default=dict)),
                        ('dispatch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='orders.dispatch')),
                    ],
                    options={
                        'db_table': 'dispatch_dispatchattempt',
                        'ordering': ['dispatch', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='DispatchDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=255)),
                        ('content', models.BinaryField()),
                        ('built_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('dispatch', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='document', to='orders.dispatch')),
                    ],
                    options={
                        'db_table': 'dispatch_dispatchdocument',
                    },
                ),
                migrations.AddIndex(
                    model_name='dispatch',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='dispatch_di_status_9a31df_idx'),
                ),
                migrations.AddIndex(
                    model_name='dispatch',
                    index=models.Index(fields=['status', 'lease_expires_at'], name='dispatch_di_status_56f958_idx'),
                ),
                migrations.AddConstraint(
                    model_name='dispatchattempt',
                    constraint=models.UniqueConstraint(fields=('dispatch', 'number'), name='attempt_number_per_dispatch'),
                ),
            ],
        ),
    ]
