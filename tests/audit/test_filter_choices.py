"""The activity log's filter choices are kept by the database as events are inserted (issue 25, item 3).

Whatever writes the events (audit_record, audit_record_many, raw SQL, the partition function moving
strays, the migration's backfill), each tenant's choice lists equal the distinct values of its events.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from audit.actions import AuditAction
from audit.filter_choices import audit_filter_choices_backfill
from audit.models import AuditEvent, AuditFilterChoice
from audit.selectors import distinct_values
from audit.services import audit_record, audit_record_many
from tests.factories import AuditEventFactory, CustomerFactory

LISTS = (("partner_id", "actor_label"), ("partner_id", "customer_id"), ("customer_id", "actor_label"), ("customer_id", "partner_id"))


def scanned(scope: str, scope_id: int, column: str) -> list[object]:
    """The distinct values read from the events themselves (what the lists showed before)."""
    events = AuditEvent.objects.filter(**{scope: scope_id}).exclude(**{f"{column}__isnull": True})
    return list(events.order_by(column).values_list(column, flat=True).distinct())


def assert_lists_match_the_events() -> None:
    scopes = {
        "partner_id": set(AuditEvent.objects.exclude(partner_id=None).values_list("partner_id", flat=True)),
        "customer_id": set(AuditEvent.objects.exclude(customer_id=None).values_list("customer_id", flat=True)),
    }
    assert scopes["partner_id"] and scopes["customer_id"]
    for scope, column in LISTS:
        for scope_id in scopes[scope]:
            expected = scanned(scope, scope_id, column)
            assert distinct_values(scope=scope, scope_id=scope_id, column=column, limit=500) == expected, (scope, column)
            assert distinct_values(scope=scope, scope_id=scope_id, column=column, limit=2) == expected[:2]


def test_every_writer_feeds_the_choices(db, partner_a, partner_b):
    customers = [CustomerFactory() for _ in range(12)]
    with transaction.atomic():  # one by one, as the services write them
        for n in range(8):
            audit_record(action=AuditAction.INVITATION_CREATED, actor=None, partner=partner_a.partner,
                         customer=customers[n % 5] if n % 3 else None, actor_label=f"u{n % 4}@contoso.example")
        audit_record(action=AuditAction.INVITATION_CREATED, actor=None, customer=customers[11])  # no partner
    with transaction.atomic():  # many in one INSERT (the bulk batch's chunks)
        audit_record_many(records=[
            {"action": AuditAction.INVITATION_CREATED, "actor": None, "partner": partner, "customer": customers[n],
             "actor_label": f"bulk{n % 3}@example.com"}
            for n in range(12) for partner in (partner_a.partner, partner_b.partner)
        ])
    AuditEventFactory(partner=partner_b.partner, customer=None, actor_label="Zoë@fabrikam.example")
    AuditEventFactory(partner=partner_b.partner, customer=customers[3], actor_label="admin@fabrikam.example")
    if connection.vendor == "postgresql":  # raw SQL below the ORM, several rows in one statement
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditevent (occurred_at, actor_label, partner_id, customer_id, action, target_type, target_id,"
                " target_label, data, user_agent, request_id) SELECT now(), 'raw' || g || '@example.com', %s, %s, 'x', '', '', '',"
                " '{}'::jsonb, '', '' FROM generate_series(1, 3) AS g",
                [partner_b.partner.pk, customers[10].pk],
            )

    assert_lists_match_the_events()


def test_an_event_rolled_back_leaves_no_choice(db, partner_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=AuditAction.INVITATION_CREATED, actor=None, partner=partner_a.partner, actor_label="gone@example.com")
        raise RuntimeError

    assert distinct_values(scope="partner_id", scope_id=partner_a.partner.pk, column="actor_label", limit=10) == []


def test_the_backfill_rebuilds_the_same_choices(db, partner_a, partner_b):
    customers = [CustomerFactory() for _ in range(4)]
    for n in range(10):
        AuditEventFactory(partner=(partner_a, partner_b)[n % 2].partner, customer=customers[n % 4] if n % 5 else None,
                          actor_label=f"u{n % 3}@example.com")
    before = set(AuditFilterChoice.objects.values_list("scope", "scope_id", "kind", "ref_id", "label"))
    AuditFilterChoice.objects.all().delete()

    audit_filter_choices_backfill()
    audit_filter_choices_backfill()  # idempotent

    assert set(AuditFilterChoice.objects.values_list("scope", "scope_id", "kind", "ref_id", "label")) == before
    assert before
    assert_lists_match_the_events()


@pytest.mark.postgres
def test_rows_moved_out_of_the_default_partition_keep_their_choices(db, partner_a):
    from audit.partitions import audit_partitions_ensure

    far = datetime(2031, 5, 17, tzinfo=UTC)  # no partition yet: the default partition takes it
    AuditEventFactory(partner=partner_a.partner, occurred_at=far, actor_label="future@example.com")

    audit_partitions_ensure(since=far, now=far)

    assert distinct_values(scope="partner_id", scope_id=partner_a.partner.pk, column="actor_label", limit=5) == ["future@example.com"]
    assert AuditFilterChoice.objects.filter(label="future@example.com").count() == 1
