"""The activity log's filter choices, kept by the database as events are inserted (issue 25).

`audit_auditfilterchoice` (model `AuditFilterChoice`) holds, per tenant, the distinct actor labels
and other tenants of its events. Every insert into `audit_auditevent` adds its events' choices in
the same statement's transaction:

- PostgreSQL: an AFTER INSERT ... FOR EACH STATEMENT trigger on the partitioned parent, reading the
  statement's new rows as a transition table, so a 250-event chunk or a million-row backfill costs
  one `INSERT ... SELECT DISTINCT ... ON CONFLICT DO NOTHING`, and a single event a few index probes.
  Statement triggers of the parent do not fire for an INSERT aimed straight at one partition: no code
  does that (the app role may not; the partition function re-inserts strays through the parent);
  a bulk load that does must call `audit_filter_choices_backfill()` afterwards.
- SQLite (embedded mode): a FOR EACH ROW trigger with `INSERT OR IGNORE`.

The table and function names are schema-qualified at migration time: the partition function runs
with `search_path = pg_catalog, pg_temp` and its INSERT fires this trigger too.
"""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditfilterchoice"

# The choices of a set of events `e` (one row per tenant, kind and value); NULLs give none. In key
# order: two statements adding some of the same new choices at once wait for each other in one order
# (ON CONFLICT waits for the other's commit), never in a cycle.
CHOICES_OF = """
    SELECT * FROM (SELECT DISTINCT c.scope, c.scope_id, c.kind, c.ref_id, c.label
    FROM {events} AS e CROSS JOIN LATERAL (VALUES
        ('partner', e.partner_id, 'actor', 0::bigint, e.actor_label),
        ('partner', e.partner_id, 'customer', e.customer_id, ''),
        ('customer', e.customer_id, 'actor', 0::bigint, e.actor_label),
        ('customer', e.customer_id, 'partner', e.partner_id, '')
    ) AS c(scope, scope_id, kind, ref_id, label)
    WHERE c.scope_id IS NOT NULL AND c.ref_id IS NOT NULL AND c.label IS NOT NULL) AS choices
    ORDER BY scope, scope_id, kind, ref_id, label
"""

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION {schema}.audit_filter_choices_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {schema}.audit_auditfilterchoice (scope, scope_id, kind, ref_id, label)
    {choices}
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_filter_choices_add AFTER INSERT ON {schema}.audit_auditevent
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_filter_choices_add();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS audit_filter_choices_add ON {schema}.audit_auditevent;
DROP FUNCTION IF EXISTS {schema}.audit_filter_choices_add();
"""

SQLITE_FORWARD = """
CREATE TRIGGER audit_filter_choices_add AFTER INSERT ON audit_auditevent FOR EACH ROW BEGIN
    INSERT OR IGNORE INTO audit_auditfilterchoice (scope, scope_id, kind, ref_id, label)
        SELECT 'partner', NEW.partner_id, 'actor', 0, NEW.actor_label WHERE NEW.partner_id IS NOT NULL AND NEW.actor_label IS NOT NULL;
    INSERT OR IGNORE INTO audit_auditfilterchoice (scope, scope_id, kind, ref_id, label)
        SELECT 'partner', NEW.partner_id, 'customer', NEW.customer_id, '' WHERE NEW.partner_id IS NOT NULL AND NEW.customer_id IS NOT NULL;
    INSERT OR IGNORE INTO audit_auditfilterchoice (scope, scope_id, kind, ref_id, label)
        SELECT 'customer', NEW.customer_id, 'actor', 0, NEW.actor_label WHERE NEW.customer_id IS NOT NULL AND NEW.actor_label IS NOT NULL;
    INSERT OR IGNORE INTO audit_auditfilterchoice (scope, scope_id, kind, ref_id, label)
        SELECT 'customer', NEW.customer_id, 'partner', NEW.partner_id, '' WHERE NEW.customer_id IS NOT NULL AND NEW.partner_id IS NOT NULL;
END;
"""

SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_filter_choices_add;"


def _schema(conn: BaseDatabaseWrapper) -> str:
    with conn.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        return str(cursor.fetchone()[0])


def audit_filter_choices_backfill(*, using: BaseDatabaseWrapper | None = None) -> None:
    """Add the choices of every event in the log (idempotent): after a migration created the table,
    or after a bulk load that went around the trigger (straight into partitions, trigger disabled)."""
    conn = using or connection
    events = "audit_auditevent"
    if conn.vendor == "postgresql":
        sql = f"INSERT INTO {TABLE} (scope, scope_id, kind, ref_id, label) {CHOICES_OF.format(events=events)} ON CONFLICT DO NOTHING"
        with conn.cursor() as cursor:
            cursor.execute(sql)
        return
    # SQLite: no LATERAL; one statement per kind of choice.
    with conn.cursor() as cursor:
        for scope, kind, ref, label in (("partner", "actor", "0", "actor_label"), ("partner", "customer", "customer_id", "''"),
                                        ("customer", "actor", "0", "actor_label"), ("customer", "partner", "partner_id", "''")):
            cursor.execute(
                f"INSERT OR IGNORE INTO {TABLE} (scope, scope_id, kind, ref_id, label) "  # noqa: S608 (constants)
                f"SELECT DISTINCT '{scope}', {scope}_id, '{kind}', {ref}, {label} FROM {events} "
                f"WHERE {scope}_id IS NOT NULL AND {ref} IS NOT NULL AND {label} IS NOT NULL"
            )


def install(conn: BaseDatabaseWrapper) -> None:
    """Create the trigger (migration 0009)."""
    if conn.vendor == "postgresql":
        schema = _schema(conn)
        choices = CHOICES_OF.format(events="new_events")
        with conn.cursor() as cursor:
            cursor.execute(POSTGRES_FORWARD.replace("{choices}", choices).replace("{schema}", schema))
    elif conn.vendor == "sqlite":
        with conn.cursor() as cursor:
            cursor.execute(SQLITE_FORWARD)


def uninstall(conn: BaseDatabaseWrapper) -> None:
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(POSTGRES_BACKWARD.replace("{schema}", _schema(conn)))
    elif conn.vendor == "sqlite":
        with conn.cursor() as cursor:
            cursor.execute(SQLITE_BACKWARD)
