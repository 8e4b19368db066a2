"""The audit log on PostgreSQL: partitioned by month, partitions created ahead, still append-only."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.partitions import (
    DEFAULT_PARTITION,
    add_months,
    audit_default_partition_rows,
    audit_partitions_ensure,
    audit_partitions_list,
    is_partitioned,
    month_start,
    partition_name,
)
from audit.tasks import ensure_partitions
from tests.factories import AuditEventFactory

pytestmark = pytest.mark.postgres


def partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def names() -> list[str]:
    return [p.name for p in audit_partitions_list()]


def test_month_arithmetic():
    assert month_start(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == datetime(2026, 12, 1, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 1, tzinfo=UTC), 3) == datetime(2027, 2, 1, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 1, tzinfo=UTC), -1) == datetime(2025, 12, 1, tzinfo=UTC)
    assert partition_name(datetime(2027, 2, 1, tzinfo=UTC)) == "audit_auditevent_p2027_02"


def test_table_is_partitioned_with_this_month_ahead_and_a_default(db):
    assert is_partitioned()
    now = datetime.now(UTC)
    expected = [partition_name(add_months(month_start(now), n)) for n in range(4)]
    assert set(expected) <= set(names())
    assert names()[-1] == DEFAULT_PARTITION
    event = AuditEventFactory()
    assert partition_of(event) == partition_name(month_start(event.occurred_at))


def test_ensure_creates_the_months_ahead_once(db):
    future = datetime(2031, 5, 17, tzinfo=UTC)
    created = audit_partitions_ensure(now=future, months_ahead=2)
    assert created == ["audit_auditevent_p2031_05", "audit_auditevent_p2031_06", "audit_auditevent_p2031_07"]
    assert audit_partitions_ensure(now=future, months_ahead=2) == []
    assert set(created) <= set(names())


def test_every_partition_refuses_raw_update_and_delete(db):
    audit_partitions_ensure(
        since=datetime(2024, 1, 1, tzinfo=UTC), now=datetime(2024, 3, 1, tzinfo=UTC), months_ahead=0
    )
    old = AuditEventFactory(occurred_at=datetime(2024, 2, 10, tzinfo=UTC), actor_label="kept")
    stray = AuditEventFactory(occurred_at=datetime(2040, 1, 1, tzinfo=UTC), actor_label="kept")
    assert partition_of(old) == "audit_auditevent_p2024_02"
    assert partition_of(stray) == DEFAULT_PARTITION
    for event in (old, stray):
        for statement in (
            "UPDATE audit_auditevent SET actor_label = 'tampered' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
    assert list(AuditEvent.objects.filter(pk__in=[old.pk, stray.pk]).values_list("actor_label", flat=True)) == [
        "kept",
        "kept",
    ]


def test_creating_a_month_moves_its_rows_out_of_the_default_partition(db):
    stray = AuditEventFactory(occurred_at=datetime(2040, 1, 5, tzinfo=UTC), actor_label="stray")
    other = AuditEventFactory(occurred_at=datetime(2041, 6, 5, tzinfo=UTC), actor_label="other")
    total = AuditEvent.objects.count()
    assert audit_default_partition_rows() == 2

    audit_partitions_ensure(now=datetime(2040, 1, 1, tzinfo=UTC), months_ahead=0)

    assert partition_of(stray) == "audit_auditevent_p2040_01"
    assert partition_of(other) == DEFAULT_PARTITION
    assert audit_default_partition_rows() == 1
    assert AuditEvent.objects.count() == total
    moved = AuditEvent.objects.get(pk=stray.pk)
    assert (moved.actor_label, moved.occurred_at, moved.data) == ("stray", stray.occurred_at, stray.data)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [stray.pk])


def test_command_creates_lists_and_warns_about_the_default_partition(db):
    AuditEventFactory(occurred_at=datetime(2045, 3, 1, tzinfo=UTC))
    out, err = StringIO(), StringIO()
    call_command("audit_partitions", "--months-ahead", "1", stdout=out, stderr=err)
    assert DEFAULT_PARTITION in out.getvalue()
    assert "1 event(s) are in the default partition" in err.getvalue()

    out, err = StringIO(), StringIO()
    call_command("audit_partitions", "--since", "2045-03", "--months-ahead", "0", stdout=out, stderr=err)
    assert "audit_auditevent_p2045_03" in out.getvalue() and err.getvalue() == ""


@pytest.mark.parametrize("args", [["--since", "March"], ["--months-ahead", "-1"]])
def test_command_rejects_bad_input(db, args):
    before = names()
    with pytest.raises(CommandError):
        call_command("audit_partitions", *args, stdout=StringIO())
    assert names() == before


def test_beat_task_is_scheduled_and_creates_partitions(db, settings):
    assert settings.CELERY_BEAT_SCHEDULE["audit-partitions"]["task"] == "audit.ensure_partitions"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {add_and_name()}")
    assert ensure_partitions.apply().get() == [add_and_name()]


def add_and_name() -> str:
    """The partition of three months from now (created ahead, so a test may drop it)."""
    return partition_name(add_months(month_start(datetime.now(UTC)), 3))
