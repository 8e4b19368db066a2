"""The console's search (issue 24, item 4; workflows.search): trigram GIN indexes on UPPER(column),
the expression Django's `icontains` compares on PostgreSQL, so a case-insensitive substring search
is an index lookup. Raw SQL: declaring them on the model (OpClass) would need django.contrib.postgres
installed."""

from django.db import migrations


def on_postgresql(sql: str):
    """The index on PostgreSQL only: the embedded default (SQLite) has no trigram indexes and searches by scan."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('servicerequests', '0002_staff_groups'),
        ('customers', '0003_exports'),
    ]

    operations = [
        migrations.RunPython(on_postgresql('CREATE INDEX IF NOT EXISTS "servicereq_title_trgm" ON "servicerequests_servicerequest" USING gin ((UPPER("title"::text)) gin_trgm_ops)'), on_postgresql('DROP INDEX IF EXISTS "servicereq_title_trgm"')),
    ]
