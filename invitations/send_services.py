"""Sending an invitation from the portal: the sealed email, send, resend (new link)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.draft_markers import mark_expiry
from invitations.drafts import _locked_pending, _store_draft, invitation_draft
from invitations.email_limits import invitation_email_count
from invitations.errors import InvitationError
from invitations.links import invitation_url, link_issue
from invitations.models import Invitation
from invitations.verification_codes import invitation_verification_code
from notifications.models import OutboxMessage
from notifications.services import (
    RenderedEmail,
    email_enqueue_row,
    email_outbox_row,
)
from partners.authz import Permission, authorize
from partners.models import PartnerMembership

if TYPE_CHECKING:
    pass


def _email_body_html(body: str, url: str) -> str:
    """The draft as HTML with exactly one link, the invitation's: any other URL the partner typed
    stays plain text, so the email carries the one link and nothing to track or mislead."""
    html = linebreaks(escape(body))
    escaped_url = escape(url)
    return mark_safe(html.replace(escaped_url, f'<a href="{escaped_url}">{escaped_url}</a>', 1))  # noqa: S308 — built from escaped text


def _enqueue_invitation_email(invitation: Invitation, *, key_suffix: str, template: str = "", new_link: bool = False,
                              counted: bool = False) -> OutboxMessage | None:
    """Queue the invitation email to its recipient; None when this link was already sent.

    `new_link`: the link was issued in this transaction, so nothing can have been sent for it.
    `counted`: a partner's send, which counts towards the email limits (invitations.email_limits)
    and raises when one is reached; an email already sent for this link is not counted again.
    """
    row = _invitation_email_row(invitation, key_suffix=key_suffix, template=template)
    if not new_link and OutboxMessage.objects.filter(idempotency_key=row.idempotency_key).exists():
        return None
    if counted:
        invitation_email_count(invitation=invitation, recipient=invitation.sent_to)
    return email_enqueue_row(row, new_key=new_link)


def _invitation_email_row(invitation: Invitation, *, key_suffix: str, template: str = "") -> OutboxMessage:
    """The invitation email to its recipient as an unsaved, sealed outbox row (no statement)."""
    subject, body = invitation_draft(invitation)
    if key_suffix.startswith("reminder"):
        with translation.override(invitation.language):
            subject = _("Reminder: %(subject)s") % {"subject": subject}
    partner = invitation.partner
    context = {
        "body_html": _email_body_html(body, invitation_url(invitation)),
        "partner_name": partner.name,
        "verified_domain": partner.verified_domain,
        "domain_verified": partner.domain_is_verified,
        "verification_code": invitation_verification_code(invitation),
        "expires_on": invitation.expires_at.date().isoformat(),
        "subject": subject,
        "reply_to": partner.invitation_reply_to,
    }
    with translation.override(invitation.language):
        footer = render_to_string("invitations/email/invitation_footer.txt", context).strip()
        html = render_to_string("invitations/email/invitation_body.html", {**context, "footer": footer})
        # The plain-text part says what the HTML part says, in the same layout (templates/email/base_body.html).
        text = render_to_string("invitations/email/invitation_body.txt", {**context, "body": body, "footer": footer})
    return email_outbox_row(
        to=invitation.sent_to,
        template=template or "invitations/email/invitation",
        rendered=RenderedEmail(subject=subject, text=text, html=html, reply_to=partner.invitation_reply_to),
        language=invitation.language,
        partner=partner,
        idempotency_key=f"invitation:{invitation.pk}:{invitation.token_nonce}:{key_suffix}",
        topic=f"invitation:{invitation.pk}",
    )


@transaction.atomic
def invitation_send(
    *, invitation: Invitation, membership: PartnerMembership, subject: str, body: str, recipient_email: str
) -> Invitation:
    """Send the (edited) draft from the portal through the outbox. Sending the same link twice sends once."""
    authorize(membership, Permission.REQUEST_RELATIONSHIP, invitation)
    locked = _locked_pending(invitation, membership.partner)
    recipient = (recipient_email or locked.recipient_email).strip().lower()
    if not recipient:
        raise InvitationError("recipient_required", _("Enter the customer's email address to send from the portal."), field="recipient_email")
    if locked.recipient_email and recipient != locked.recipient_email:
        raise InvitationError(
            "recipient_pinned",
            _("This invitation is pinned to %(email)s.") % {"email": locked.recipient_email},
            field="recipient_email",
        )
    try:
        validate_email(recipient)
    except Exception as exc:
        raise InvitationError("invalid_email", _("Enter a valid email address."), field="recipient_email") from exc
    subject, stored_body = _store_draft(locked, subject=subject, body=body)
    now = timezone.now()
    Invitation.objects.filter(pk=locked.pk).update(message_subject=subject, message_body=stored_body, sent_at=now, sent_to=recipient)
    locked.message_subject, locked.message_body, locked.sent_at, locked.sent_to = subject, stored_body, now, recipient
    if _enqueue_invitation_email(locked, key_suffix=f"send:{recipient}", counted=True):
        audit_record(action=AuditAction.INVITATION_SENT, actor=membership.user, partner=locked.partner, target=locked,
                     after={"sent_to": recipient})
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, membership: PartnerMembership) -> Invitation:
    """New link (the old one stops working), new expiry; emailed again when there is a recipient."""
    authorize(membership, Permission.REQUEST_RELATIONSHIP, invitation)
    locked = _locked_pending(invitation, membership.partner)
    now = timezone.now()
    link_issue(locked, "invitation")
    locked.link_issued_at = now
    # A draft stored with the date written out (before draft_markers) follows the new expiry too.
    locked.message_subject, locked.message_body = mark_expiry(locked.message_subject, locked), mark_expiry(locked.message_body, locked)
    locked.expires_at = now + timedelta(days=settings.INVITATION_VALIDITY_DAYS)
    locked.save(update_fields=["token_nonce", "token_hash", "link_issued_at", "expires_at", "message_subject", "message_body"])
    if locked.sent_to:
        Invitation.objects.filter(pk=locked.pk).update(sent_at=now)
        locked.sent_at = now
        _enqueue_invitation_email(locked, key_suffix=f"send:{locked.sent_to}", counted=True)
    audit_record(action=AuditAction.INVITATION_RESENT, actor=membership.user, partner=locked.partner, target=locked,
                 after={"expires_at": locked.expires_at.isoformat(), "emailed_to": locked.sent_to})
    return locked
