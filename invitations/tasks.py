from __future__ import annotations

from celery import shared_task

from invitations.lifecycle import invitation_reminders_send, invitations_expire


@shared_task(name="invitations.expire", acks_late=True, ignore_result=True)
def expire() -> int:
    return invitations_expire()


@shared_task(name="invitations.send_reminders", acks_late=True, ignore_result=True)
def send_reminders() -> int:
    return invitation_reminders_send()
