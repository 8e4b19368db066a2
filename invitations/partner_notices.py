"""Emails to the inviting partner about its invitation (accepted, declined, reported)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from invitations.models import Invitation
from notifications.services import (
    email_enqueue_rendered,
    email_render,
)
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


def partner_notify(
    invitation: Invitation, *, event: str, customer_name: str, reason: str = "", creator_is_member: bool | None = None,
    new_key: bool = False, new_reseller: bool = True,
) -> None:
    """Email the partner about `event`. `new_key=True` when the caller has just moved the
    invitation into that state in this transaction (the keys cannot exist yet: no lookup, no savepoint)."""
    template = f"invitations/email/partner_{event}"
    for user in partner_recipients(invitation, creator_is_member=creator_is_member):
        context = {
            "partner_name": invitation.partner.name,
            "customer_name": customer_name,
            "invitation_id": invitation.pk,
            "include_delegated_admin": invitation.include_delegated_admin,
            "new_reseller": new_reseller,  # False: the partner was already the reseller (admin roles only)
            "reason": reason,
            "console_url": absolute_url("invitations:list", partner_id=invitation.partner.partner_id),
        }
        email_enqueue_rendered(
            to=user.email,
            template=template,
            rendered=email_render(template=template, context=context, language=user.preferred_language),
            language=user.preferred_language,
            partner=invitation.partner,
            idempotency_key=f"invitation:{invitation.pk}:{event}:{user.pk}",
            topic=f"invitation:{invitation.pk}",
            new_key=new_key,
        )
