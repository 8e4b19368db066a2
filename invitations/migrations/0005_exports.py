"""The console's search (issue 24, item 4; workflows.search): trigram GIN indexes on UPPER(column),
the expression Django's `icontains` compares on PostgreSQL, so a case-insensitive substring search
is an index lookup. Raw SQL: declaring them on the model (OpClass) would need django.contrib.postgres
installed."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('invitations', '0004_lookup_indexes'),
        ('customers', '0003_exports'),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "invitation_recipient_trgm" ON "invitations_invitation" USING gin ((UPPER("recipient_email"::text)) gin_trgm_ops)',
            reverse_sql='DROP INDEX IF EXISTS "invitation_recipient_trgm"',
        ),
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "invitation_sent_to_trgm" ON "invitations_invitation" USING gin ((UPPER("sent_to"::text)) gin_trgm_ops)',
            reverse_sql='DROP INDEX IF EXISTS "invitation_sent_to_trgm"',
        ),
    ]
