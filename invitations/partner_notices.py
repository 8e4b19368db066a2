"""Notices to the inviting partner about its invitation (accepted, declined, not delivered), each
through the person's notification preference (notifications.inbox.notify_user)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.urls import reverse

from invitations.models import Invitation
from notifications.choices import NotificationAudience, NotificationKind
from notifications.inbox import EmailSpec, notify_user
from partnercenter.links import absolute_url
from partners.choices import PartnerRole
from partners.models import PartnerMembership
from partners.selectors import partner_users_with_roles

if TYPE_CHECKING:
    from accounts.models import User


def creator_is_member_exists() -> Exists:
    """Whether the invitation's creator still works for its partner: an annotation for the
    statement that locks the invitation, so the partner's notice needs no query of its own."""
    return Exists(PartnerMembership.objects.filter(partner=OuterRef("partner"), user=OuterRef("created_by")))


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
