"""Graph-compatible surface: draft (`created`) grants, stable Graph ids, operations and action requests.

Existing rows get their own uuid4 (a callable default on AddField would give every row the same one).
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


def fill_graph_guids(name):
    def fill(apps, schema_editor):
        model = apps.get_model("relationships", name)
        for pk in model.objects.filter(graph_guid__isnull=True).values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(graph_guid=uuid.uuid4())

    return fill


class Migration(migrations.Migration):

    dependencies = [
        ('relationships', '0002_access_assignment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='accessassignment',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at'),
        ),
        migrations.AddField(
            model_name='accessassignment',
            name='graph_guid',
            field=models.UUIDField(null=True, editable=False, verbose_name='Graph id'),
        ),
        migrations.RunPython(fill_graph_guids("AccessAssignment"), migrations.RunPython.noop),
        migrations.AlterField(
            model_name='accessassignment',
            name='graph_guid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='Graph id'),
        ),
        migrations.AddField(
            model_name='delegatedadmingrant',
            name='graph_guid',
            field=models.UUIDField(null=True, editable=False, verbose_name='Graph id'),
        ),
        migrations.RunPython(fill_graph_guids("DelegatedAdminGrant"), migrations.RunPython.noop),
        migrations.AlterField(
            model_name='delegatedadmingrant',
            name='graph_guid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='Graph id'),
        ),
        migrations.AddField(
            model_name='delegatedadmingrant',
            name='modified_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='last modified at'),
        ),
        migrations.AlterField(
            model_name='delegatedadmingrant',
            name='status',
            field=models.CharField(choices=[('created', 'Created (draft)'), ('approval_pending', 'Approval pending'), ('active', 'Active'), ('rejected', 'Rejected'), ('expired', 'Expired'), ('terminated', 'Terminated')], default='approval_pending', max_length=20, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='GrantActionRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('graph_guid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='Graph id')),
                ('action', models.CharField(choices=[('lockForApproval', 'Lock for approval'), ('terminate', 'Terminate')], max_length=20, verbose_name='action')),
                ('status', models.CharField(choices=[('created', 'Created'), ('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='created', max_length=16, verbose_name='status')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('modified_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last modified at')),
                ('grant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_requests', to='relationships.delegatedadmingrant')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'grant action request',
                'verbose_name_plural': 'grant action requests',
                'ordering': ['grant', 'created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='GrantOperation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('graph_guid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='Graph id')),
                ('operation_type', models.CharField(choices=[('delegatedAdminRelationshipUpdate', 'Relationship update')], max_length=40, verbose_name='type')),
                ('status', models.CharField(choices=[('notStarted', 'Not started'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='notStarted', max_length=16, verbose_name='status')),
                ('data', models.JSONField(default=dict, verbose_name='data')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('modified_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last modified at')),
                ('grant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='operations', to='relationships.delegatedadmingrant')),
            ],
            options={
                'verbose_name': 'grant operation',
                'verbose_name_plural': 'grant operations',
                'ordering': ['grant', 'created_at', 'pk'],
            },
        ),
    ]
