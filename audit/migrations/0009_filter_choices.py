"""The activity log's filter choices (issue 25): a small table fed by an insert trigger on the audit log,
backfilled here, so each filter list is one index read whatever the log's size (audit/filter_choices.py)."""

from django.db import migrations, models


def forward(apps, schema_editor):
    from audit.filter_choices import audit_filter_choices_backfill, install

    install(schema_editor.connection)
    audit_filter_choices_backfill(using=schema_editor.connection)


def backward(apps, schema_editor):
    from audit.filter_choices import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0008_partition_function_ssrfroles'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditFilterChoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=16)),
                ('scope_id', models.BigIntegerField()),
                ('kind', models.CharField(max_length=16)),
                ('ref_id', models.BigIntegerField(default=0)),
                ('label', models.CharField(blank=True, default='', max_length=254)),
            ],
            options={
                'verbose_name': 'audit filter choice',
                'verbose_name_plural': 'audit filter choices',
                'constraints': [models.UniqueConstraint(fields=('scope', 'scope_id', 'kind', 'ref_id', 'label'), name='audit_filter_choice_unique')],
            },
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
