"""Celery tasks: thin, id-based, idempotent. The work is in notifications.services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from notifications.digest import digests_send
from notifications.services import outbox_deliver, outbox_deliver_many, outbox_publish, outbox_sweep

TASK_DEFAULTS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True, name="notifications.send_outbox_message", **TASK_DEFAULTS)
def send_outbox_message(self, message_id: int) -> str:
    outcome = outbox_deliver(message_id=message_id)
    if outcome.status == "retry" and self.request.retries < settings.OUTBOX_MAX_ATTEMPTS:
        # Not raised through autoretry: the row is already requeued; this only wakes us up on time.
        raise self.retry(countdown=outcome.retry_in_seconds, max_retries=settings.OUTBOX_MAX_ATTEMPTS)
    return outcome.status


@shared_task(bind=True, name="notifications.send_outbox_messages", **TASK_DEFAULTS)
def send_outbox_messages(self, message_ids: list[int]) -> dict[str, int]:
    """`send_outbox_message` for a chunk of rows committed together (one broker message for the
    chunk, see `outbox_publish_many`). A row to retry is woken up on time by a `send_outbox_message`
    of its own (if that publish fails, the sweep finds the row when it is due). Returns how many rows
    had each outcome (counted per row in the delivery metrics)."""
    counts: dict[str, int] = {}
    for message_id, outcome in outbox_deliver_many(message_ids=message_ids):
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if outcome.status == "retry":
            outbox_publish(message_id=message_id, countdown=outcome.retry_in_seconds)
    return counts


@shared_task(name="notifications.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    return outbox_sweep()


@shared_task(name="notifications.send_digests", acks_late=True, ignore_result=True)
def send_digests() -> int:
    return digests_send()
