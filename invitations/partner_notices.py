"""Notices to the inviting partner about its invitation (accepted, declined, not delivered), each
through the person's notification preference (notifications.inbox.notify_user).

The acceptance notice is sent after the accepting transaction commits, in a transaction of its own
(issue 25: the accept POST no longer reads preferences, recipients or renders the partner's email).
It is never lost silently: the accepting UPDATE sets `Invitation.partner_notice_due`, the notice's
transaction clears it, and `partner_notices_sweep` (Celery beat) sends every notice still due after
a grace period (a task lost to a broker outage or a worker crash).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from invitations.choices import InvitationStatus
from invitations.models import Invitation
from notifications.choices import NotificationAudience, NotificationKind
from notifications.inbox import EmailSpec, notify_user
from partnercenter.links import absolute_url
from partners.choices import PartnerRole
from partners.models import PartnerMembership
from partners.selectors import partner_users_with_roles
from relationships.models import Relationship

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def partner_recipients(invitation: Invitation, *, creator_is_member: bool | None = None) -> list[User]:
    if invitation.created_by_id and creator_is_member is None:
        creator_is_member = PartnerMembership.objects.filter(partner=invitation.partner, user_id=invitation.created_by_id).exists()
    if invitation.created_by_id and creator_is_member:
        return [invitation.created_by]  # type: ignore[list-item]
    return partner_users_with_roles(partner=invitation.partner, roles={PartnerRole.ACCOUNT_ADMIN})


EVENT_KINDS = {
    "accepted": NotificationKind.INVITATION_ACCEPTED,
    "declined": NotificationKind.INVITATION_DECLINED,
    "delivery_failed": NotificationKind.INVITATION_DELIVERY_FAILED,
}


def partner_notify(
    invitation: Invitation, *, event: str, customer_name: str, reason: str = "", creator_is_member: bool | None = None,
    new_key: bool = False, new_reseller: bool = True, recipient: str = "",
    outbox_id: int | None = None,
) -> None:
    """Tell the partner about `event` (in-app, and by email as each person chose). `new_key=True` when the
    caller has just moved the invitation into that state in this transaction (the keys cannot exist
    yet: no lookup, no savepoint); `outbox_id`: the failed email a `delivery_failed` notice is about."""
    template = f"invitations/email/partner_{event}"
    partner = invitation.partner
    page = reverse("invitations:list", kwargs={"partner_id": partner.partner_id})
    for user in partner_recipients(invitation, creator_is_member=creator_is_member):
        context = {
            "partner_name": partner.name,
            "customer_name": customer_name,
            "invitation_id": invitation.pk,
            "include_delegated_admin": invitation.include_delegated_admin,
            "new_reseller": new_reseller,  # False: the partner was already the reseller (admin roles only)
            "reason": reason,
            "recipient": recipient,
            "console_url": absolute_url("invitations:list", partner_id=partner.partner_id),
        }
        notify_user(
            user=user, kind=EVENT_KINDS[event], audience=NotificationAudience.PARTNER, partner_id=partner.pk,
            params={"customer": customer_name, "invitation": invitation.pk, "recipient": recipient},
            url=page,
            email=EmailSpec(template=template, context=context, partner=partner,
                            idempotency_key=f"invitation:{invitation.pk}:{event}:{user.pk}" + (f":{outbox_id}" if outbox_id else ""),
                            topic=f"invitation:{invitation.pk}", new_key=new_key),
        )


# --- The acceptance notice, after commit -------------------------------------------------------


def partner_notice_accepted_later(invitation: Invitation) -> None:
    """Called in the accepting transaction (which set `partner_notice_due`): queue the partner's
    notice for after commit. No statement here; a lost publish is repaired by the sweep."""
    transaction.on_commit(partial(_partner_notice_publish, invitation_pk=invitation.pk))


def _partner_notice_publish(*, invitation_pk: int) -> None:
    from invitations.tasks import send_partner_notice_accepted  # noqa: PLC0415 — invitations.tasks imports this module

    try:
        send_partner_notice_accepted.apply_async(args=(invitation_pk,))
    except Exception:
        logger.warning("partner notice publish failed; the sweep will send it", extra={"invitation_id": invitation_pk},
                       exc_info=True)


@transaction.atomic
def partner_notice_accepted_send(*, invitation_pk: int) -> bool:
    """Tell the partner its invitation was accepted, once: the invitation row is locked and its
    `partner_notice_due` cleared in the same transaction as the notifications and emails (a second
    task or the sweep finds nothing due). False when nothing was due."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("partner", "created_by", "customer")
        .filter(pk=invitation_pk, partner_notice_due=True, status=InvitationStatus.ACCEPTED).first()
    )
    if invitation is None or invitation.customer is None:
        return False
    # New reseller: the acceptance established the partner's relationship (False when it was already the
    # reseller, or for admin roles only), as the accepting transaction knew it.
    new_reseller = Relationship.objects.filter(established_by=invitation, partner_id=invitation.partner_id).exists()
    partner_notify(invitation, event="accepted", customer_name=invitation.customer.company_name, new_reseller=new_reseller)
    Invitation.objects.filter(pk=invitation.pk).update(partner_notice_due=False)
    return True


def partner_notices_sweep(*, limit: int = 200) -> int:
    """Send the acceptance notices still due after the grace period (their task was lost). Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.PARTNER_NOTICE_SWEEP_GRACE_SECONDS)
    due = list(Invitation.objects.filter(partner_notice_due=True, accepted_at__lte=cutoff)
               .order_by("accepted_at", "pk").values_list("pk", flat=True)[:limit])
    sent = 0
    for invitation_pk in due:
        try:
            sent += partner_notice_accepted_send(invitation_pk=invitation_pk)
        except Exception:  # one notice that fails must not hold back the others; it stays due
            logger.exception("partner notice failed", extra={"invitation_id": invitation_pk})
    return sent
