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
        ('invitations', '0004_lookup_indexes'),
        ('customers', '0003_exports'),
    ]

    operations = [
        migrations.RunPython(on_postgresql('CREATE INDEX IF NOT EXISTS "invitation_recipient_trgm" ON "invitations_invitation" USING gin ((UPPER("recipient_email"::text)) gin_trgm_ops)'), on_postgresql('DROP INDEX IF EXISTS "invitation_recipient_trgm"')),
        migrations.RunPython(on_postgresql('CREATE INDEX IF NOT EXISTS "invitation_sent_to_trgm" ON "invitations_invitation" USING gin ((UPPER("sent_to"::text)) gin_trgm_ops)'), on_postgresql('DROP INDEX IF EXISTS "invitation_sent_to_trgm"')),
    ]
