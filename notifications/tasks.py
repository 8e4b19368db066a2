"""Celery tasks: thin, id-based, idempotent. The work is in notifications.services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from notifications.digest import digests_send
from notifications.services import outbox_deliver, outbox_sweep

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


@shared_task(name="notifications.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    return outbox_sweep()


@shared_task(name="notifications.send_digests", acks_late=True, ignore_result=True)
def send_digests() -> int:
    return digests_send()
