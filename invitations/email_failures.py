"""An invitation email that failed for good is an invitation event (the outbox knows no caller's templates)."""

from __future__ import annotations

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.models import Invitation
from notifications.models import OutboxMessage

# The customer-facing invitation emails (not the partner's notices): their failure is an invitation event.
INVITATION_EMAIL_TEMPLATES = ("invitations/email/invitation", "invitations/email/reminder")


def invitation_email_failed(*, message: OutboxMessage, error: str, **kwargs: object) -> None:
    """notifications.signals.outbox_message_failed receiver, in the transaction that marked the row failed."""
    if message.template not in INVITATION_EMAIL_TEMPLATES or not message.topic.startswith("invitation:"):
        return
    invitation = Invitation.objects.filter(pk=message.topic.split(":", 1)[1]).first()
    if invitation is not None:
        audit_record(action=AuditAction.INVITATION_DELIVERY_FAILED, actor=None, partner_id=invitation.partner_id,
                     target=invitation, data={"outbox_id": message.pk, "recipient": message.recipient, "error": error[:300]})
