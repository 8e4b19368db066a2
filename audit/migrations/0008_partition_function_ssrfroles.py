"""Least privilege for the audit log (PostgreSQL): partitions are created by a SECURITY DEFINER function.

The web and worker processes connect as an app role that may only SELECT and INSERT audit events
(docs/database-roles.md); it may not TRUNCATE, ALTER, DROP or DISABLE TRIGGER on the audit table or
its partitions, none of which it owns. Yet the beat task `audit.ensure_partitions` runs as that role
and must create next month's partition. `audit_auditevent_ensure_month(timestamptz)` does exactly
that and nothing else, with the rights of its owner (the role that ran this migration: the owner
role): it takes the same lock, creates the month's partition, moves strays out of the default
partition as audit/partitions.py always did, and strips every grantee but the owner of everything
but SELECT on the new tables (default privileges would otherwise hand the app role DML on them).
`search_path` is pinned, so a caller cannot slip its own objects into the function.

The same stripping is applied to the audit table as it is now: non-owners keep SELECT and INSERT on
the parent and SELECT on partitions. With one superuser role (tests, `make run`), there are no
such grantees and nothing changes. On SQLite nothing happens.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION {schema}.audit_auditevent_restrict(target regclass, keep text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    grantee_name text;
    kept text;
BEGIN
    -- Every role other than the owner that holds a privilege on `target` (PUBLIC included) keeps
    -- only those of its privileges that are in `keep` (e.g. {SELECT}); never more than it had.
    FOR grantee_name, kept IN
        SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END,
               string_agg(a.privilege_type, ', ') FILTER (WHERE a.privilege_type = ANY (keep))
        FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE c.oid = target AND a.grantee <> c.relowner
        GROUP BY a.grantee, r.rolname
    LOOP
        EXECUTE format('REVOKE ALL ON %s FROM %s', target, grantee_name);
        IF kept IS NOT NULL THEN
            EXECUTE format('GRANT %s ON %s TO %s', kept, target, grantee_name);
        END IF;
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION {schema}.audit_auditevent_restrict(regclass, text[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION {schema}.audit_auditevent_ensure_month(month_of timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    start_utc timestamp := date_trunc('month', month_of AT TIME ZONE 'UTC');
    start_at timestamptz := start_utc AT TIME ZONE 'UTC';
    end_at timestamptz := (start_utc + interval '1 month') AT TIME ZONE 'UTC';
    name text := 'audit_auditevent_p' || to_char(start_utc, 'YYYY_MM');
    strays boolean;
BEGIN
    -- The same lock audit/partitions.py takes: two callers at once cannot collide.
    LOCK TABLE {schema}.audit_auditevent IN SHARE ROW EXCLUSIVE MODE;
    IF to_regclass(format('{schema}.%I', name)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    SELECT EXISTS (SELECT 1 FROM {schema}.audit_auditevent_default
                   WHERE occurred_at >= start_at AND occurred_at < end_at) INTO strays;
    IF strays THEN
        -- Rows of that month in the default partition move into the new one: the default
        -- partition is swapped for a fresh one (no UPDATE or DELETE: the append-only trigger holds).
        ALTER TABLE {schema}.audit_auditevent DETACH PARTITION {schema}.audit_auditevent_default;
        ALTER TABLE {schema}.audit_auditevent_default RENAME TO audit_auditevent_default_old;
    END IF;
    EXECUTE format('CREATE TABLE {schema}.%I PARTITION OF {schema}.audit_auditevent FOR VALUES FROM (%L) TO (%L)',
                   name, start_at, end_at);
    PERFORM {schema}.audit_auditevent_restrict(format('{schema}.%I', name)::regclass, '{SELECT}');
    IF strays THEN
        CREATE TABLE {schema}.audit_auditevent_default PARTITION OF {schema}.audit_auditevent DEFAULT;
        PERFORM {schema}.audit_auditevent_restrict('{schema}.audit_auditevent_default'::regclass, '{SELECT}');
        INSERT INTO {schema}.audit_auditevent SELECT * FROM {schema}.audit_auditevent_default_old;
        DROP TABLE {schema}.audit_auditevent_default_old;
    END IF;
    RETURN name;
END;
$$;
REVOKE ALL ON FUNCTION {schema}.audit_auditevent_ensure_month(timestamptz) FROM PUBLIC;
"""

RESTRICT_EXISTING = """
SELECT {schema}.audit_auditevent_restrict('{schema}.audit_auditevent'::regclass, '{SELECT,INSERT}');
SELECT {schema}.audit_auditevent_restrict(i.inhrelid::regclass, '{SELECT}')
FROM pg_inherits i WHERE i.inhparent = '{schema}.audit_auditevent'::regclass;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS {schema}.audit_auditevent_ensure_month(timestamptz);
DROP FUNCTION IF EXISTS {schema}.audit_auditevent_restrict(regclass, text[]);
"""


def _schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        return cursor.fetchone()[0]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = _schema(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTIONS.replace("{schema}", schema))
        cursor.execute(RESTRICT_EXISTING.replace("{schema}", schema))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = _schema(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKWARD.replace("{schema}", schema))


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_activity_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
