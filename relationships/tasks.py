from __future__ import annotations

from celery import shared_task

from relationships.grant_lifecycle import grant_reminders_send, grants_expire_and_extend


@shared_task(name="relationships.grants_lifecycle", acks_late=True, ignore_result=True)
def grants_lifecycle() -> dict[str, int]:
    return grants_expire_and_extend()


@shared_task(name="relationships.grant_reminders", acks_late=True, ignore_result=True)
def grant_reminders() -> int:
    return grant_reminders_send()
