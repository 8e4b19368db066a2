"""The console's search (issue 24, item 4; workflows.search): trigram GIN indexes on UPPER(column),
the expression Django's `icontains` compares on PostgreSQL, so a case-insensitive substring search
is an index lookup. Raw SQL: declaring them on the model (OpClass) would need django.contrib.postgres
installed."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('servicerequests', '0002_staff_groups'),
        ('customers', '0003_exports'),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "servicereq_title_trgm" ON "servicerequests_servicerequest" USING gin ((UPPER("title"::text)) gin_trgm_ops)',
            reverse_sql='DROP INDEX IF EXISTS "servicereq_title_trgm"',
        ),
    ]
