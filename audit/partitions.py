"""Monthly range partitions of the audit log (PostgreSQL only).

`audit_auditevent` is declared `PARTITION BY RANGE (occurred_at)` (migration 0006): one partition
per calendar month in UTC, named `audit_auditevent_pYYYY_MM`, plus `audit_auditevent_default`
that catches any row no monthly partition covers, so an insert never fails for want of one.
`audit_partitions_ensure` creates the coming months ahead of time (beat task `audit.ensure_partitions`
and `manage.py audit_partitions`). Indexes and the append-only trigger are declared on the parent
table, so PostgreSQL clones them onto every partition, including the ones created later.

Partitions are created by `audit_auditevent_ensure_month()`, a SECURITY DEFINER function owned by
the owner role (migration 0008): the web and worker processes connect as an app role that owns
nothing and may not create, alter or drop tables (docs/database-roles.md), yet the beat task must
add next month. Before migration 0008 exists (migration 0006 calls this module) the same steps run
as plain SQL by the migrating role.

On SQLite (embedded mode) the table is a plain table and every function here does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 3


@dataclass(frozen=True)
class Partition:
    name: str
    bounds: str  # PostgreSQL's own text, e.g. FOR VALUES FROM ('2026-11-01 00:00:00+00') TO (...)
    rows_estimate: int


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(start: datetime, months: int) -> datetime:
    index = start.year * 12 + start.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(start: datetime) -> str:
    return f"{TABLE}_p{start:%Y_%m}"


def is_partitioned(using: BaseDatabaseWrapper | None = None) -> bool:
    conn = using or connection
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return bool(cursor.fetchone()[0])


def _has_definer_function(cursor) -> bool:
    cursor.execute("SELECT to_regprocedure('audit_auditevent_ensure_month(timestamptz)') IS NOT NULL")
    return bool(cursor.fetchone()[0])


def _create_month(cursor, start: datetime) -> str | None:
    """Create the partition of the month starting at `start`; None if it already exists.

    Only before migration 0008; afterwards the function of the same name in the database does this.

    Rows the default partition already holds for that month move into the new partition: the
    default partition is swapped for a fresh one holding the other rows (no UPDATE or DELETE, so
    the append-only trigger is never involved), all inside the caller's transaction.
    """
    name = partition_name(start)
    if _exists(cursor, name):
        return None
    end = add_months(start, 1)
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE occurred_at >= %s AND occurred_at < %s)",  # noqa: S608 (constant names)
        [start, end],
    )
    strays = bool(cursor.fetchone()[0])
    if strays:
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT_PARTITION}")
        cursor.execute(f"ALTER TABLE {DEFAULT_PARTITION} RENAME TO {DEFAULT_PARTITION}_old")
    cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)", [start, end])
    if strays:
        cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {DEFAULT_PARTITION}_old")  # noqa: S608 (constant names)
        cursor.execute(f"DROP TABLE {DEFAULT_PARTITION}_old")
    return name


def audit_partitions_ensure(
    *, now: datetime | None = None, months_ahead: int = MONTHS_AHEAD, since: datetime | None = None
) -> list[str]:
    """Create the monthly partitions from `since` (default: this month) to `months_ahead` months
    after this one (at least the month of `since`).

    Idempotent: existing partitions are left alone; returns the names created. One transaction
    with a lock on the parent table, so two workers running it at once cannot collide.
    """
    if not is_partitioned():
        return []
    first = month_start(since or now or datetime.now(UTC))
    last = max(first, add_months(month_start(now or datetime.now(UTC)), months_ahead))
    created: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        definer = _has_definer_function(cursor)
        if not definer:
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        start = first
        while start <= last:
            if definer:
                cursor.execute("SELECT audit_auditevent_ensure_month(%s)", [start])
                name = cursor.fetchone()[0]
            else:
                name = _create_month(cursor, start)
            if name:
                created.append(name)
            start = add_months(start, 1)
    return created


def audit_partitions_list() -> list[Partition]:
    """The partitions of the audit table, oldest first, with the planner's row estimate."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), GREATEST(c.reltuples, 0)::bigint
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass
            ORDER BY c.relname = %s, c.relname
            """,
            [TABLE, DEFAULT_PARTITION],
        )
        return [Partition(name=name, bounds=bounds, rows_estimate=rows) for name, bounds, rows in cursor.fetchall()]


def audit_default_partition_rows() -> int:
    """Rows that fell into the default partition (0 when partitions are created ahead, as they should be)."""
    if not is_partitioned():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION}")  # noqa: S608 (a constant name)
        return int(cursor.fetchone()[0])
