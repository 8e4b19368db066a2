"""What helps a customer trust (or distrust) an invitation: "this was not me" reports, their
review by platform staff, and the first-open telemetry of the acceptance link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.choices import InvitationStatus
from invitations.errors import InvitationError
from invitations.links import INVALID_LINK_MESSAGE
from invitations.models import Invitation
from invitations.partner_notices import partner_notify

if TYPE_CHECKING:
    from accounts.models import User

ANONYMOUS_REPORTER = "invitation recipient (not signed in)"


def invitation_record_first_open(*, invitation_pk: int) -> bool:
    """Telemetry for the onboarding funnel: stamp the first GET of the acceptance link.

    This is the one write a GET makes, and it is invisible to the visitor: a single conditional
    UPDATE ... WHERE first_opened_at IS NULL (autocommit, no lock held, no audit event, nothing
    shown or sent), so only the first open counts and repeated or concurrent GETs are no-ops.
    Link scanners and previews that fetch the link count as an open too: the funnel says
    "link opened", not "read by a person". No tracking pixel is involved.
    """
    return bool(Invitation.objects.filter(pk=invitation_pk, first_opened_at__isnull=True).update(first_opened_at=timezone.now()))


@transaction.atomic
def invitation_report(*, invitation: Invitation, user: User | None, reason: str = "") -> Invitation:
    """The recipient says "this was not me / I don't know this partner": decline and flag.

    Whoever holds the link may report, signed in or not (the link is the credential, as for
    opening the page). Locks the row, then one conditional UPDATE pending → declined with the
    report stamped; audit events `invitation.declined` (webhooks and the partner see a decline)
    and `invitation.reported` (staff review it in admin). The partner's declined email does not
    repeat the report text.
    """
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("partner", "created_by").filter(pk=invitation.pk).first()
    if locked is None or not locked.is_usable:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    now = timezone.now()
    reason = reason.strip()[:2000]
    updated = Invitation.objects.filter(pk=locked.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.DECLINED, declined_at=now, declined_by=user,
        reported_at=now, report_reason=reason,
    )
    if updated != 1:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    locked.status, locked.declined_at, locked.reported_at, locked.report_reason = InvitationStatus.DECLINED, now, now, reason
    label = None if user is not None else ANONYMOUS_REPORTER
    audit_record(action=AuditAction.INVITATION_DECLINED, actor=user, actor_label=label, partner=locked.partner, target=locked,
                 before={"status": "pending"}, after={"status": "declined", "reported": True})
    audit_record(action=AuditAction.INVITATION_REPORTED, actor=user, actor_label=label, partner=locked.partner, target=locked,
                 data={"reason": reason})
    partner_notify(locked, event="declined", customer_name=user.email if user is not None else (locked.sent_to or locked.recipient_email))
    return locked


@transaction.atomic
def invitation_report_review(*, invitation: Invitation, staff_user: User, reason: str) -> Invitation:
    """Platform staff close the review of a reported invitation, with what they found (audited)."""
    if not reason.strip():
        raise InvitationError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    now = timezone.now()
    updated = Invitation.objects.filter(pk=invitation.pk, reported_at__isnull=False, report_reviewed_at__isnull=True).update(
        report_reviewed_at=now, report_reviewed_by=staff_user
    )
    if updated != 1:
        raise InvitationError("not_reported", _("This invitation has no report waiting for review."))
    invitation.refresh_from_db()
    audit_record(action=AuditAction.INVITATION_REPORT_REVIEWED, actor=staff_user, partner_id=invitation.partner_id, target=invitation,
                 data={"reason": reason.strip(), "by": "staff"})
    return invitation
