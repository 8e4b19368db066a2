"""The invitation email's draft: the default text, the partner's edits (the link must stay), and the
permission and lock every partner-side change of a pending invitation starts with."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.choices import InvitationKind, InvitationStatus
from invitations.draft_markers import EXPIRY_MARKER, fill_expiry, mark_expiry
from invitations.errors import InvitationError
from invitations.links import LINK_MARKER, invitation_url
from invitations.models import Invitation
from partnercenter.directory_roles import role_names
from partners.authz import Permission, authorize
from partners.clouds import portal_for
from partners.models import Partner, PartnerMembership

if TYPE_CHECKING:
    pass


def _draft_context(invitation: Invitation) -> dict[str, object]:
    partner = invitation.partner
    return {
        "partner_name": partner.name,
        "partner_id": partner.partner_id,
        "verified_domain": partner.verified_domain,
        "include_delegated_admin": invitation.include_delegated_admin,
        "delegated_admin_only": invitation.kind == InvitationKind.DELEGATED_ADMIN,
        "auto_extend": invitation.grant_auto_extend,
        "roles": role_names(invitation.requested_roles),
        "duration_days": invitation.grant_duration_days,
        "portal_name": portal_for(partner.cloud).name,
        "expires_on": EXPIRY_MARKER,  # filled in when shown or sent: a resend moves it (draft_markers)
        "link": LINK_MARKER,
        "signature": partner.invitation_signature,  # Partner settings → Defaults (issue 24, item 7)
    }


def _default_draft(invitation: Invitation) -> tuple[str, str]:
    # The draft is a pure function of its context (the link is only a marker), so identical
    # contexts (a batch's rows, an API client's repeated calls) are rendered once per process.
    with translation.override(invitation.language):  # role and portal names in the email's language, not the page's
        context = tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in _draft_context(invitation).items())
    return _rendered_draft(invitation.language, translation.get_language(), context)


@lru_cache(maxsize=512)
def _rendered_draft(language: str, _active_language: str | None, context_items: tuple[tuple[str, object], ...]) -> tuple[str, str]:
    context = dict(context_items)
    with translation.override(language):
        subject = " ".join(render_to_string("invitations/email/draft_subject.txt", context).split())
        body = render_to_string("invitations/email/draft_body.txt", context).strip() + "\n"
    return subject, body


def invitation_draft(invitation: Invitation) -> tuple[str, str]:
    """The editable draft (subject, body) with the live link in place."""
    return (fill_expiry(invitation.message_subject, invitation),
            fill_expiry(invitation.message_body.replace(LINK_MARKER, invitation_url(invitation)), invitation))


def _store_draft(invitation: Invitation, *, subject: str, body: str) -> tuple[str, str]:
    url = invitation_url(invitation)
    subject = " ".join(subject.split())[:300]
    if not subject:
        raise InvitationError("subject_required", _("The subject cannot be empty."), field="subject")
    if url not in body:
        raise InvitationError(
            "link_required",
            _("The personalised link must stay in the message: it leads your customer straight to your account. Put it back: %(url)s")
            % {"url": url},
            field="body",
        )
    return mark_expiry(subject, invitation), mark_expiry(body.replace(url, LINK_MARKER), invitation)


def _locked_pending(invitation: Invitation, partner: Partner) -> Invitation:
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=invitation.pk, partner=partner).first()
    if locked is None or locked.status != InvitationStatus.PENDING:
        raise InvitationError("not_pending", _("This invitation is no longer pending."))
    return locked


@transaction.atomic
def invitation_draft_save(*, invitation: Invitation, membership: PartnerMembership, subject: str, body: str) -> Invitation:
    """Keep the partner's edits of the draft; the link must stay in it."""
    authorize(membership, Permission.REQUEST_RELATIONSHIP, invitation)
    locked = _locked_pending(invitation, membership.partner)
    new_subject, new_body = _store_draft(locked, subject=subject, body=body)
    if (new_subject, new_body) != (locked.message_subject, locked.message_body):
        Invitation.objects.filter(pk=locked.pk).update(message_subject=new_subject, message_body=new_body)
        audit_record(action=AuditAction.INVITATION_DRAFT_EDITED, actor=membership.user, partner=locked.partner, target=locked,
                     after={"subject": new_subject})
        locked.message_subject, locked.message_body = new_subject, new_body
    return locked
