"""Celery tasks for the limit counters."""

from __future__ import annotations

from celery import shared_task

from ratelimits.services import limit_counters_purge


@shared_task(name="ratelimits.purge_counters", acks_late=True, ignore_result=True)
def purge_counters() -> int:
    return limit_counters_purge()
