from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.actions import AuditAction
from audit.models import AppendOnlyError, AuditEvent
from audit.services import AuditOutsideTransactionError, audit_record


def record(**kwargs) -> AuditEvent:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return audit_record(action=AuditAction.PARTNER_CREATED, actor=None, **kwargs)


def test_audit_record_fills_actor_label_and_request_context(db, partner_a):
    event = record(partner=partner_a.partner, target=partner_a.partner, after={"name": "x"})
    assert event.actor_label == "system"
    assert event.partner_id == partner_a.partner.pk
    assert event.target_type == "partners.partner"
    assert event.data == {"after": {"name": "x"}}


def test_audit_record_refuses_to_write_outside_a_transaction(transactional_db):
    with pytest.raises(AuditOutsideTransactionError):
        audit_record(action=AuditAction.PARTNER_CREATED, actor=None)


def test_orm_refuses_to_update_or_delete_audit_events(db):
    event = record()
    event.action = AuditAction.PARTNER_USER_REMOVED
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "system"


@pytest.mark.postgres
def test_postgres_trigger_refuses_raw_update_and_delete(db):
    event = record()
    for statement in (
        "UPDATE audit_auditevent SET actor_label = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT actor_label FROM audit_auditevent WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("system",)
