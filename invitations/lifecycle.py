"""The invitations' lifecycle (Celery beat): expiry and reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from invitations.send_services import _enqueue_invitation_email

if TYPE_CHECKING:
    pass


@transaction.atomic
def invitations_expire(*, limit: int = 500) -> int:
    """Pending invitations past their expiry become expired. Returns how many."""
    now = timezone.now()
    due = list(
        Invitation.objects.select_for_update(skip_locked=True)
        .filter(status=InvitationStatus.PENDING, expires_at__lte=now)
        .order_by("pk")[:limit]
    )
    for invitation in due:
        if Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(status=InvitationStatus.EXPIRED, expired_at=now):
            audit_record(action=AuditAction.INVITATION_EXPIRED, actor=None, partner_id=invitation.partner_id, target=invitation,
                         before={"status": "pending"}, after={"status": "expired"})
    return len(due)


@transaction.atomic
def invitation_reminders_send() -> int:
    """Remind recipients of invitations sent from the portal, N days before expiry, once per link and N."""
    now = timezone.now()
    days = sorted(settings.INVITATION_REMINDER_DAYS_BEFORE)
    if not days:
        return 0
    candidates = (
        Invitation.objects.select_related("partner")
        .filter(status=InvitationStatus.PENDING, sent_at__isnull=False, expires_at__gt=now,
                expires_at__lte=now + timedelta(days=max(days)))
        .exclude(sent_to="")
        .order_by("pk")
    )
    sent = 0
    for invitation in candidates:
        remaining = invitation.expires_at - now
        threshold = min(d for d in days if remaining <= timedelta(days=d))
        if _enqueue_invitation_email(invitation, key_suffix=f"reminder:{threshold}", template="invitations/email/reminder"):
            audit_record(action=AuditAction.INVITATION_REMINDED, actor=None, partner=invitation.partner, target=invitation,
                         after={"days_before": threshold})
            sent += 1
    return sent
