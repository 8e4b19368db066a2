"""Ending a pending invitation without acceptance: the partner cancels, the customer declines, staff close it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.acceptance import _acceptor_verified, _acceptor_works_for_partner, _raise, acceptor_refusal
from invitations.choices import InvitationStatus
from invitations.drafts import _locked_pending
from invitations.errors import InvitationError
from invitations.links import INVALID_LINK_MESSAGE
from invitations.models import Invitation
from invitations.partner_notices import partner_notify
from partners.authz import Permission, authorize
from partners.models import PartnerMembership

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, membership: PartnerMembership) -> Invitation:
    authorize(membership, Permission.REQUEST_RELATIONSHIP, invitation)
    locked = _locked_pending(invitation, membership.partner)
    now = timezone.now()
    Invitation.objects.filter(pk=locked.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.CANCELLED, cancelled_at=now, cancelled_by=membership.user
    )
    audit_record(action=AuditAction.INVITATION_CANCELLED, actor=membership.user, partner=locked.partner, target=locked,
                 before={"status": "pending"}, after={"status": "cancelled"})
    locked.status, locked.cancelled_at = InvitationStatus.CANCELLED, now
    return locked


@transaction.atomic
def invitation_close_by_staff(*, invitation: Invitation, staff_user: User, reason: str, expire: bool = False) -> Invitation:
    """Platform staff cancel (or expire) a pending invitation from Django admin; the reason is audited."""
    if not reason.strip():
        raise InvitationError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=invitation.pk).first()
    if locked is None or locked.status != InvitationStatus.PENDING:
        raise InvitationError("not_pending", _("This invitation is no longer pending."))
    now = timezone.now()
    if expire:
        fields = {"status": InvitationStatus.EXPIRED, "expired_at": now}
        action = AuditAction.INVITATION_EXPIRED
    else:
        fields = {"status": InvitationStatus.CANCELLED, "cancelled_at": now, "cancelled_by": staff_user}
        action = AuditAction.INVITATION_CANCELLED
    Invitation.objects.filter(pk=locked.pk, status=InvitationStatus.PENDING).update(**fields)
    audit_record(action=action, actor=staff_user, partner=locked.partner, target=locked,
                 before={"status": "pending"}, after={"status": str(fields["status"])}, data={"reason": reason.strip(), "by": "staff"})
    locked.refresh_from_db()
    return locked


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User, reason: str = "") -> Invitation:
    """The customer says no; the partner sees it (status, reason, email).

    Pre: as for accepting, the user's address is verified through its mailbox (a decline is an
    answer in the customer's name too) and, when the invitation is pinned, it is the pinned one.
    """
    locked = (
        Invitation.objects.select_for_update(of=("self",)).select_related("partner", "created_by")
        .annotate(acceptor_verified=_acceptor_verified(user), acceptor_works_for_partner=_acceptor_works_for_partner(user))
        .filter(pk=invitation.pk).first()
    )
    if locked is None or not locked.is_usable:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    if not locked.acceptor_verified:
        raise InvitationError("email_not_verified", _("Verify your email address before answering."))
    _raise(acceptor_refusal(partner=locked.partner, recipient_email=locked.recipient_email, target_domain=locked.target_domain,
                            user=user, works_for_partner=locked.acceptor_works_for_partner))
    now = timezone.now()
    reason = reason.strip()[:2000]
    Invitation.objects.filter(pk=locked.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.DECLINED, declined_at=now, declined_by=user, decline_reason=reason
    )
    locked.status, locked.declined_at, locked.decline_reason = InvitationStatus.DECLINED, now, reason
    audit_record(action=AuditAction.INVITATION_DECLINED, actor=user, partner=locked.partner, target=locked,
                 before={"status": "pending"}, after={"status": "declined", "reason": reason})
    partner_notify(locked, event="declined", customer_name=user.email, reason=reason)
    return locked
