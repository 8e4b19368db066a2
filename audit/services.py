"""The one way to write an audit event."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import connection, models

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.signals import event_recorded
from partnercenter import request_context

if TYPE_CHECKING:
    from accounts.models import User


class AuditOutsideTransactionError(RuntimeError):
    """An audit event must be written inside the transaction of the change it records."""


# The events of the open `audit_events_together()` block, waiting for its end (None: no block).
_together: ContextVar[list[AuditEvent] | None] = ContextVar("audit_together", default=None)


@contextmanager
def audit_events_together() -> Iterator[None]:
    """Inside one transaction: every event `audit_record` records in the block is built when recorded
    (same time, actor, labels and payload) and all are written in one INSERT when the block ends,
    then signalled (`event_recorded`) in the order recorded, still in the transaction. Nothing is
    written when the block raises (the transaction rolls back anyway). Inside the block the event
    `audit_record` returns has no pk yet. A nested block joins the outer one.
    """
    if _together.get() is not None:
        yield
        return
    events: list[AuditEvent] = []
    token = _together.set(events)
    try:
        yield
    finally:
        _together.reset(token)
    if events:
        if not connection.in_atomic_block:
            raise AuditOutsideTransactionError(f"audit_events_together({events[0].action}, ...) ended outside a transaction")
        AuditEvent.objects.bulk_create(events)
        for event in events:
            event_recorded.send(sender=AuditEvent, event=event)


def actor_label_for(actor: User | None, *, label: str | None = None) -> str:
    if label:
        return label
    if actor is None:
        return "system"
    return actor.email


def audit_record(
    *,
    action: AuditAction,
    actor: User | None,
    partner: models.Model | None = None,
    customer: models.Model | None = None,
    partner_id: int | None = None,
    customer_id: int | None = None,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Record `action` in the caller's open transaction.

    Pre-condition: called inside `transaction.atomic` (raises otherwise), so the event commits or
    rolls back with the change it describes. Request id, IP and user agent come from the current
    request context (empty for tasks and commands). `partner` / `customer`: the partner or customer
    model instance the event belongs to (or give `partner_id` / `customer_id`).

    Then `audit.signals.event_recorded` is sent in this same transaction (e.g. notifications
    writes the webhook deliveries of the event there; it reads a partner's webhook subscriptions
    once per transaction by itself).
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(f"audit_record({action}) called outside a transaction")
    event = audit_event_new(action=action, actor=actor, partner=partner, customer=customer, partner_id=partner_id,
                            customer_id=customer_id, target=target, before=before, after=after, data=data,
                            actor_label=actor_label)
    together = _together.get()
    if together is not None:  # written with the others at the end of the block
        together.append(event)
        return event
    event.save(force_insert=True)
    # Listeners above audit (webhooks, ...) hear about it in this same transaction.
    event_recorded.send(sender=AuditEvent, event=event)
    return event


def audit_event_new(
    *,
    action: AuditAction,
    actor: User | None,
    partner: models.Model | None = None,
    customer: models.Model | None = None,
    partner_id: int | None = None,
    customer_id: int | None = None,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """The unsaved event `audit_record` writes (same arguments; no statement)."""
    context = request_context.current()
    if (
        not actor_label
        and actor is not None
        and context.actor_user_id is not None
        and actor.pk == context.actor_user_id
    ):
        actor_label = context.actor_label  # an API key acting through its technical user
    payload: dict[str, Any] = dict(data or {})
    if before is not None:
        payload["before"] = before
    if after is not None:
        payload["after"] = after
    return AuditEvent(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label_for(actor, label=actor_label),
        partner_id=partner.pk if partner is not None else partner_id,
        customer_id=customer.pk if customer is not None else customer_id,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:254] if target is not None else "",
        data=payload,
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        request_id=context.request_id,
    )


def audit_record_many(*, records: Sequence[dict[str, Any]]) -> list[AuditEvent]:
    """`audit_record` for many events at once (each item: its keyword arguments): the events of one
    `audit_events_together()` block, so one INSERT.

    Same pre-condition (inside the transaction of the changes they record) and the same
    `event_recorded` signal for each event, in order, in this transaction. Inside an open block the
    events join it (written, given their pk and signalled when it ends), as `audit_record`'s do.
    """
    if not records:
        return []
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(f"audit_record_many({records[0].get('action')}, ...) called outside a transaction")
    with audit_events_together():
        return [audit_record(**record) for record in records]
