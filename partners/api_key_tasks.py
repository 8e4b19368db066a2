"""Celery tasks for the API (registered through CELERY_IMPORTS, next to partners.tasks)."""

from __future__ import annotations

from celery import shared_task

from partners.api_key_services import api_idempotency_keys_purge


@shared_task(name="partners.purge_idempotency_keys", acks_late=True, ignore_result=True)
def purge_idempotency_keys() -> int:
    return api_idempotency_keys_purge()
