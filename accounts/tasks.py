from __future__ import annotations

from celery import shared_task

from accounts.sign_in_services import sign_in_events_purge


@shared_task(name="accounts.purge_sign_in_events", acks_late=True, ignore_result=True)
def purge_sign_in_events() -> int:
    """Beat, daily: the sign-in log keeps SIGN_IN_EVENT_RETENTION_DAYS days."""
    return sign_in_events_purge()
