"""audit_record_many and audit_events_together: one batching mechanism (the block), the same events.

`audit_record_many(records=…)` is `audit_record` for each item inside one `audit_events_together()`
block: one INSERT, the events in order with their pk, each signalled once, in order, in the transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import AuditOutsideTransactionError, audit_events_together, audit_record, audit_record_many
from audit.signals import event_recorded
from tests.factories import CustomerFactory, UserFactory

FIELDS = ("action", "actor_id", "actor_label", "partner_id", "customer_id", "target_type", "target_id", "target_label", "data")


@pytest.fixture
def heard() -> Any:
    events: list[AuditEvent] = []

    def listener(sender: Any = None, event: AuditEvent | None = None, **kwargs: Any) -> None:
        assert connection.in_atomic_block and event is not None and event.pk is not None
        events.append(event)

    event_recorded.connect(listener, weak=False)
    yield events
    event_recorded.disconnect(listener)


def _records(actor: Any, customer: Any) -> list[dict[str, Any]]:
    return [
        {"action": AuditAction.INVITATION_CREATED, "actor": actor, "customer": customer, "target": customer, "data": {"n": 1}},
        {"action": AuditAction.INVITATION_SENT, "actor": actor, "customer_id": customer.pk, "after": {"n": 2}},
        {"action": AuditAction.INVITATION_CREATED, "actor": None, "actor_label": "system", "before": {"n": 3}},
    ]


def test_one_insert_the_same_events_in_order_each_signalled_once(db, heard) -> None:  # type: ignore[no-untyped-def]
    actor, customer = UserFactory(), CustomerFactory()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            events = audit_record_many(records=_records(actor, customer))
        one_by_one = [audit_record(**record) for record in _records(actor, customer)]
    assert [q["sql"].split(" ")[0] for q in queries] == ["INSERT"]
    assert [e.pk for e in events] == sorted(e.pk for e in events) and all(e.pk for e in events)
    assert heard[:3] == events and len(heard) == 6
    stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[e.pk for e in events + one_by_one])}
    for many, single in zip(events, one_by_one, strict=True):
        assert {f: getattr(stored[many.pk], f) for f in FIELDS} == {f: getattr(stored[single.pk], f) for f in FIELDS}


def test_inside_a_block_the_events_join_it(db, heard) -> None:  # type: ignore[no-untyped-def]
    actor, customer = UserFactory(), CustomerFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, audit_events_together():
        first = audit_record(action=AuditAction.INVITATION_CREATED, actor=actor, customer=customer)
        events = audit_record_many(records=_records(actor, customer))
        assert heard == [] and first.pk is None and all(e.pk is None for e in events)
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 1
    assert heard == [first, *events]


def test_outside_a_transaction_nothing_is_written(transactional_db) -> None:  # type: ignore[no-untyped-def]
    actor, customer = UserFactory(), CustomerFactory()
    with pytest.raises(AuditOutsideTransactionError):
        audit_record_many(records=_records(actor, customer))
    assert audit_record_many(records=[]) == []
    assert not AuditEvent.objects.exists()
