from __future__ import annotations

from celery import shared_task

from partners.services import partner_user_invitations_expire


@shared_task(name="partners.expire_user_invitations", acks_late=True, ignore_result=True)
def expire_user_invitations() -> int:
    return partner_user_invitations_expire()
