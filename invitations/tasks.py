from __future__ import annotations

from celery import shared_task

from invitations.lifecycle import invitation_reminders_send, invitations_expire
from invitations.partner_notices import partner_notice_accepted_send, partner_notices_sweep
from notifications.tasks import TASK_DEFAULTS


@shared_task(name="invitations.expire", acks_late=True, ignore_result=True)
def expire() -> int:
    return invitations_expire()


@shared_task(name="invitations.send_reminders", acks_late=True, ignore_result=True)
def send_reminders() -> int:
    return invitation_reminders_send()


@shared_task(name="invitations.send_partner_notice_accepted", ignore_result=True, **TASK_DEFAULTS)
def send_partner_notice_accepted(invitation_id: int) -> bool:
    return partner_notice_accepted_send(invitation_pk=invitation_id)


@shared_task(name="invitations.sweep_partner_notices", acks_late=True, ignore_result=True)
def sweep_partner_notices() -> int:
    return partner_notices_sweep()
