"""Approval steps keep their request's organization and submission time, with an index per way a step names a
member (by name, by role), for "waiting for my approval"; existing steps get them from their request."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
import django.db.models.deletion


def copy_from_requests(apps, schema_editor):
    ApprovalStep = apps.get_model("requisitions", "ApprovalStep")
    OrderRequest = apps.get_model("requisitions", "OrderRequest")
    request = OrderRequest.objects.filter(pk=OuterRef("order_request_id"))
    ApprovalStep.objects.update(
        organization_id=Subquery(request.values("organization_id")[:1]),
        # A step of a request taken back into the cart (no submission time any more) is void: its own time will do.
        waiting_since=Coalesce(Subquery(request.values("submitted_at")[:1]), F("created_at")),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('requisitions', '0003_request_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='approvalstep',
            name='organization',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization'),
        ),
        migrations.AddField(
            model_name='approvalstep',
            name='waiting_since',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(copy_from_requests, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='approvalstep',
            name='organization',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization'),
        ),
        migrations.AlterField(
            model_name='approvalstep',
            name='waiting_since',
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name='approvalstep',
            index=models.Index(fields=['organization', 'approver', 'status', 'waiting_since', 'order_request'], name='step_waiting_approver_idx'),
        ),
        migrations.AddIndex(
            model_name='approvalstep',
            index=models.Index(fields=['organization', 'approver_role', 'status', 'waiting_since', 'order_request'], name='step_waiting_role_idx'),
        ),
    ]
