"""Celery tasks for webhooks: thin, id-based, idempotent. The work is in webhook_services.

Registered through CELERY_IMPORTS (settings), next to notifications.tasks.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from notifications.tasks import TASK_DEFAULTS
from notifications.webhook_services import webhook_deliver, webhook_sweep


@shared_task(bind=True, name="notifications.send_webhook_delivery", **TASK_DEFAULTS)
def send_webhook_delivery(self, delivery_id: int) -> str:
    outcome = webhook_deliver(delivery_id=delivery_id)
    if outcome.status == "retry" and self.request.retries < settings.WEBHOOK_MAX_ATTEMPTS:
        # The row is already requeued with its next attempt time; this only wakes us up then.
        raise self.retry(countdown=outcome.retry_in_seconds, max_retries=settings.WEBHOOK_MAX_ATTEMPTS)
    return outcome.status


@shared_task(name="notifications.sweep_webhooks", acks_late=True, ignore_result=True)
def sweep_webhooks() -> int:
    return webhook_sweep()
