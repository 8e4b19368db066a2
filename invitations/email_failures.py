"""An invitation email that failed for good is an invitation event (the outbox knows no caller's templates),
and the partner is told (in-app, and by email as each person chose)."""

from __future__ import annotations

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.models import Invitation
from invitations.partner_notices import partner_notify
from notifications.models import OutboxMessage

# The customer-facing invitation emails (not the partner's notices): their failure is an invitation event.
INVITATION_EMAIL_TEMPLATES = ("invitations/email/invitation", "invitations/email/reminder")


def invitation_email_failed(*, message: OutboxMessage, error: str, **kwargs: object) -> None:
    """notifications.signals.outbox_message_failed receiver, in the transaction that marked the row failed."""
    if message.template not in INVITATION_EMAIL_TEMPLATES or not message.topic.startswith("invitation:"):
        return
    invitation = Invitation.objects.select_related("partner", "created_by").filter(pk=message.topic.split(":", 1)[1]).first()
    if invitation is None:
        return
    audit_record(action=AuditAction.INVITATION_DELIVERY_FAILED, actor=None, partner_id=invitation.partner_id,
                 target=invitation, data={"outbox_id": message.pk, "recipient": message.recipient, "error": error[:300]})
    # The partner hears of it (issue 24 item 6: before, only the audit log knew), once per failed email.
    partner_notify(invitation, event="delivery_failed", customer_name=message.recipient, recipient=message.recipient,
                   outbox_id=message.pk)
