"""The onboarding funnel's per-partner, per-day counters (issue 25, big tenants).

`invitations_funnelday` (model `FunnelDay`) holds, per partner and UTC day of creation, the funnel's
figures of the invitations created from a request that day (what invitations/funnel_selectors.py
defines): sent, opened, accepted, delegated admin active, the time-to-accept buckets and the sum of
the waits. The funnel reads the period's whole UTC days from here (at most one row a day, whatever
the partner's size) and only the period's partial days at either end (a viewer's time zone that is
not UTC) from the invitations themselves.

PostgreSQL keeps the counters in the transaction of every change, by triggers, so no code path (a
service, a bulk update, the staff admin, SQL) can forget them; each trigger adds the change's delta
(ON CONFLICT ... DO UPDATE SET x = x + delta: concurrent writers add up, they never overwrite):

- on invitations: a statement trigger for INSERT (a 250-row batch chunk is one grouped upsert), and
  row triggers for UPDATE and DELETE guarded by a WHEN clause, so the updates that change nothing the
  funnel counts (sending, drafts, resends, reminders, expiry, cancelling) cost no function call;
- on delegated admin grants: statement triggers for INSERT, UPDATE and DELETE (transition tables)
  that adjust "delegated admin active" of the accepted invitations whose grants became active or
  stopped being active. They lock those invitations (FOR NO KEY UPDATE, in id order) before reading
  the grants, so two transactions changing grants of one invitation count it once.

SQLite (embedded mode, small installs) has no counters: the funnel reads the invitations directly.
After a load that went around the triggers (they were disabled), `funnel_days_rebuild()` rebuilds them.
"""

# ruff: noqa: S608 — every statement here is built from this module's constants and the current schema's quoted name

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "invitations_funnelday"
COUNTERS = ("sent", "opened", "accepted", "admin_active", "under_1h", "under_1d", "under_3d", "under_7d", "under_14d",
            "over_14d", "waited_us")

# One invitation's figures, given its columns as {id}, {created_at}, ... (an invitation created from a
# request). The bucket bounds are TIME_TO_ACCEPT_BUCKETS' (tests compare both ways of counting).
FACTS = """
    {partner_id} AS partner_id, ({created_at} AT TIME ZONE 'UTC')::date AS day, 1 AS sent,
    ({first_opened_at} IS NOT NULL OR {accepted_at} IS NOT NULL OR {declined_at} IS NOT NULL)::int AS opened,
    ({status} = 'accepted')::int AS accepted,
    ({status} = 'accepted' AND EXISTS (SELECT 1 FROM {grants} AS g
                                       WHERE g.requested_by_invitation_id = {id} AND g.status = 'active'))::int AS admin_active,
    coalesce({status} = 'accepted' AND {accepted_at} - {created_at} < interval '1 hour', false)::int AS under_1h,
    coalesce({status} = 'accepted' AND {accepted_at} - {created_at} >= interval '1 hour'
             AND {accepted_at} - {created_at} < interval '1 day', false)::int AS under_1d,
    coalesce({status} = 'accepted' AND {accepted_at} - {created_at} >= interval '1 day'
             AND {accepted_at} - {created_at} < interval '3 days', false)::int AS under_3d,
    coalesce({status} = 'accepted' AND {accepted_at} - {created_at} >= interval '3 days'
             AND {accepted_at} - {created_at} < interval '7 days', false)::int AS under_7d,
    coalesce({status} = 'accepted' AND {accepted_at} - {created_at} >= interval '7 days'
             AND {accepted_at} - {created_at} < interval '14 days', false)::int AS under_14d,
    coalesce({status} = 'accepted' AND {accepted_at} - {created_at} >= interval '14 days', false)::int AS over_14d,
    CASE WHEN {status} = 'accepted' THEN coalesce((extract(epoch FROM {accepted_at} - {created_at}) * 1000000)::bigint, 0)
         ELSE 0 END AS waited_us
"""


def _facts(prefix: str, schema: str | None) -> str:
    columns = ("id", "partner_id", "created_at", "status", "first_opened_at", "accepted_at", "declined_at")
    grants = f"{schema}.relationships_delegatedadmingrant" if schema else "relationships_delegatedadmingrant"
    return FACTS.format(grants=grants, **{c: f"{prefix}.{c}" for c in columns})


def period_sql() -> str:
    """The funnel's figures of one partner over a period, as one row of sums (the COUNTERS, in order): the
    whole UTC days [day_from, day_to) from the counters, the rest of the period ([start, first_end) and
    [second_start, end), each under a day) from the invitations. Parameters, by name: partner, day_from,
    day_to, start, first_end, second_start, end."""
    counters = ", ".join(COUNTERS)
    sums = ", ".join(f"coalesce(sum(c.{name}), 0)" for name in COUNTERS)
    return f"""
        SELECT {sums} FROM (
            SELECT {counters} FROM {TABLE}
            WHERE partner_id = %(partner)s AND day >= %(day_from)s AND day < %(day_to)s
            UNION ALL
            SELECT {counters} FROM (SELECT {_facts('i', None)} FROM invitations_invitation AS i
                                    WHERE i.partner_id = %(partner)s AND i.source = 'request'
                                      AND ((i.created_at >= %(start)s AND i.created_at < %(first_end)s)
                                           OR (i.created_at >= %(second_start)s AND i.created_at < %(end)s))) AS edge
        ) AS c
    """


def _upsert(schema: str, signed_rows: str) -> str:
    """Add the signed figures of `signed_rows` (sign, then FACTS' columns) to the counters."""
    sums = ", ".join(f"sum(c.sign * c.{name})" for name in COUNTERS)
    nonzero = " OR ".join(f"sum(c.sign * c.{name}) <> 0" for name in COUNTERS)
    updates = ", ".join(f"{name} = f.{name} + EXCLUDED.{name}" for name in COUNTERS)
    return f"""
        INSERT INTO {schema}.{TABLE} AS f (partner_id, day, {", ".join(COUNTERS)})
        SELECT c.partner_id, c.day, {sums} FROM ({signed_rows}) AS c
        GROUP BY c.partner_id, c.day HAVING {nonzero}
        ORDER BY c.partner_id, c.day
        ON CONFLICT (partner_id, day) DO UPDATE SET {updates}
    """


def _grant_delta(schema: str, op: str) -> str:
    """The statement trigger body for grants: which invitations' "has an active grant" may have
    changed, and the counters' delta for the accepted ones. Before the statement, the invitation's
    grants were the untouched ones as they are now plus the statement's old rows."""
    untouched = ("AND g.id NOT IN (SELECT n.id FROM new_rows AS n)" if op in ("INSERT", "UPDATE") else "")
    old_active = ("EXISTS (SELECT 1 FROM old_rows AS o WHERE o.requested_by_invitation_id = i.id AND o.status = 'active') OR"
                  if op in ("UPDATE", "DELETE") else "")
    if op == "INSERT":
        touched = "SELECT n.requested_by_invitation_id AS inv FROM new_rows AS n WHERE n.status = 'active'"
    elif op == "DELETE":
        touched = "SELECT o.requested_by_invitation_id AS inv FROM old_rows AS o WHERE o.status = 'active'"
    else:
        touched = """SELECT unnest(ARRAY[o.requested_by_invitation_id, n.requested_by_invitation_id]) AS inv
                     FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
                     WHERE (o.status = 'active' OR n.status = 'active')
                       AND (o.status IS DISTINCT FROM n.status OR o.requested_by_invitation_id IS DISTINCT FROM n.requested_by_invitation_id)"""
    delta = f"""
        SELECT (EXISTS (SELECT 1 FROM {schema}.relationships_delegatedadmingrant AS g
                        WHERE g.requested_by_invitation_id = i.id AND g.status = 'active'))::int
             - ({old_active} EXISTS (SELECT 1 FROM {schema}.relationships_delegatedadmingrant AS g
                                     WHERE g.requested_by_invitation_id = i.id AND g.status = 'active' {untouched}))::int"""
    zeros = ", ".join(f"0 AS {name}" for name in COUNTERS if name != "admin_active")
    rows = f"""SELECT 1 AS sign, i.partner_id, (i.created_at AT TIME ZONE 'UTC')::date AS day, ({delta}) AS admin_active, {zeros}
               FROM {schema}.invitations_invitation AS i
               WHERE i.id = ANY(affected) AND i.source = 'request' AND i.status = 'accepted'"""
    return f"""
DECLARE
    affected bigint[];
BEGIN
    SELECT array_agg(DISTINCT t.inv ORDER BY t.inv) INTO affected FROM ({touched}) AS t WHERE t.inv IS NOT NULL;
    IF affected IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM {schema}.invitations_invitation WHERE id = ANY(affected) ORDER BY id FOR NO KEY UPDATE;
    {_upsert(schema, rows)};
    RETURN NULL;
END;
"""


def _forward(schema: str) -> str:
    insert_rows = f"SELECT 1 AS sign, {_facts('n', schema)} FROM new_rows AS n WHERE n.source = 'request'"
    row_rows = f"""SELECT -1 AS sign, {_facts('OLD', schema)} WHERE TG_OP <> 'INSERT' AND OLD.source = 'request'
                   UNION ALL
                   SELECT 1 AS sign, {_facts('NEW', schema)} WHERE TG_OP <> 'DELETE' AND NEW.source = 'request'"""
    changed = " OR ".join((
        "OLD.partner_id IS DISTINCT FROM NEW.partner_id", "OLD.created_at IS DISTINCT FROM NEW.created_at",
        "OLD.source IS DISTINCT FROM NEW.source", "(OLD.status = 'accepted') IS DISTINCT FROM (NEW.status = 'accepted')",
        "(OLD.first_opened_at IS NULL) <> (NEW.first_opened_at IS NULL)", "OLD.accepted_at IS DISTINCT FROM NEW.accepted_at",
        "(OLD.declined_at IS NULL) <> (NEW.declined_at IS NULL)",
    ))
    grants = ""
    for op, tables in (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                       ("DELETE", "OLD TABLE AS old_rows")):
        name = f"grant_funnel_{op.lower()}"
        grants += f"""
CREATE OR REPLACE FUNCTION {schema}.{name}() RETURNS trigger LANGUAGE plpgsql AS $${_grant_delta(schema, op)}$$;
CREATE TRIGGER {name} AFTER {op} ON {schema}.relationships_delegatedadmingrant
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{name}();
"""
    return f"""
CREATE OR REPLACE FUNCTION {schema}.invitation_funnel_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_upsert(schema, insert_rows)};
    RETURN NULL;
END;
$$;
CREATE TRIGGER invitation_funnel_insert AFTER INSERT ON {schema}.invitations_invitation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {schema}.invitation_funnel_insert();
CREATE OR REPLACE FUNCTION {schema}.invitation_funnel_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_upsert(schema, row_rows)};
    RETURN NULL;
END;
$$;
CREATE TRIGGER invitation_funnel_update AFTER UPDATE ON {schema}.invitations_invitation FOR EACH ROW
    WHEN ((OLD.source = 'request' OR NEW.source = 'request') AND ({changed}))
    EXECUTE FUNCTION {schema}.invitation_funnel_row();
CREATE TRIGGER invitation_funnel_delete AFTER DELETE ON {schema}.invitations_invitation FOR EACH ROW
    WHEN (OLD.source = 'request') EXECUTE FUNCTION {schema}.invitation_funnel_row();
{grants}"""


BACKWARD = """
DROP TRIGGER IF EXISTS invitation_funnel_insert ON {schema}.invitations_invitation;
DROP TRIGGER IF EXISTS invitation_funnel_update ON {schema}.invitations_invitation;
DROP TRIGGER IF EXISTS invitation_funnel_delete ON {schema}.invitations_invitation;
DROP FUNCTION IF EXISTS {schema}.invitation_funnel_insert();
DROP FUNCTION IF EXISTS {schema}.invitation_funnel_row();
DROP TRIGGER IF EXISTS grant_funnel_insert ON {schema}.relationships_delegatedadmingrant;
DROP TRIGGER IF EXISTS grant_funnel_update ON {schema}.relationships_delegatedadmingrant;
DROP TRIGGER IF EXISTS grant_funnel_delete ON {schema}.relationships_delegatedadmingrant;
DROP FUNCTION IF EXISTS {schema}.grant_funnel_insert();
DROP FUNCTION IF EXISTS {schema}.grant_funnel_update();
DROP FUNCTION IF EXISTS {schema}.grant_funnel_delete();
"""


def _schema(conn: BaseDatabaseWrapper) -> str:
    with conn.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        return str(cursor.fetchone()[0])


def funnel_days_rebuild(*, using: BaseDatabaseWrapper | None = None) -> None:
    """Recompute every counter from the invitations (PostgreSQL; idempotent): after the migration that
    created the table, or after a load that went around the triggers. Takes the invitations' lock."""
    conn = using or connection
    if conn.vendor != "postgresql":
        return
    schema = _schema(conn)
    sums = ", ".join(f"sum({name})" for name in COUNTERS)
    with conn.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {schema}.invitations_invitation IN SHARE MODE")
        cursor.execute(f"DELETE FROM {schema}.{TABLE}")
        cursor.execute(
            f"INSERT INTO {schema}.{TABLE} (partner_id, day, {', '.join(COUNTERS)}) "
            f"SELECT partner_id, day, {sums} FROM (SELECT {_facts('i', schema)} FROM {schema}.invitations_invitation AS i "
            "WHERE i.source = 'request') AS c GROUP BY partner_id, day"
        )


def install(conn: BaseDatabaseWrapper) -> None:
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(_forward(_schema(conn)))


def uninstall(conn: BaseDatabaseWrapper) -> None:
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(BACKWARD.replace("{schema}", _schema(conn)))
