"""The console's search (issue 24, item 4; workflows.search): trigram GIN indexes on UPPER(column),
the expression Django's `icontains` compares on PostgreSQL, so a case-insensitive substring search
is an index lookup. Raw SQL: declaring them on the model (OpClass) would need django.contrib.postgres
installed."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def on_postgresql(sql: str):
    """The index on PostgreSQL only: the embedded default (SQLite) has no trigram indexes and searches by scan."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0002_partner_created_customers'),
    ]

    operations = [
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner that migrates may create it.
        TrigramExtension(),
        migrations.RunPython(on_postgresql('CREATE INDEX IF NOT EXISTS "customer_name_trgm" ON "customers_customer" USING gin ((UPPER("company_name"::text)) gin_trgm_ops)'), on_postgresql('DROP INDEX IF EXISTS "customer_name_trgm"')),
        migrations.RunPython(on_postgresql('CREATE INDEX IF NOT EXISTS "customer_domain_trgm" ON "customers_customer" USING gin ((UPPER("primary_domain"::text)) gin_trgm_ops)'), on_postgresql('DROP INDEX IF EXISTS "customer_domain_trgm"')),
    ]
