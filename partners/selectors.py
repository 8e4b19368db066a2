from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from partnercenter.tokens import token_hashes, token_rehash, token_row_valid
from partners.choices import PartnerUserInvitationStatus
from partners.models import PartnerMembership, PartnerUserInvitation

if TYPE_CHECKING:
    from accounts.models import User
    from partners.models import Partner


def partner_memberships_for_user(*, user: User) -> QuerySet[PartnerMembership]:
    return PartnerMembership.objects.filter(user=user).select_related("partner").order_by("partner__name")


def partner_user_list(*, partner: Partner) -> QuerySet[PartnerMembership]:
    return PartnerMembership.objects.filter(partner=partner).select_related("user").order_by("user__email")


def partner_member_get(*, partner: Partner, membership_pk: int) -> PartnerMembership:
    """A membership of *this* partner; another partner's answers 404."""
    try:
        return partner_user_list(partner=partner).get(pk=membership_pk)
    except PartnerMembership.DoesNotExist as exc:
        raise Http404 from exc


def partner_pending_user_invitations(*, partner: Partner) -> QuerySet[PartnerUserInvitation]:
    return (
        PartnerUserInvitation.objects.filter(partner=partner, status=PartnerUserInvitationStatus.PENDING)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def partner_user_invitation_get(*, partner: Partner, invitation_pk: int) -> PartnerUserInvitation:
    try:
        return PartnerUserInvitation.objects.get(partner=partner, pk=invitation_pk)
    except PartnerUserInvitation.DoesNotExist as exc:
        raise Http404 from exc


def partner_user_invitation_by_token(*, token: str) -> PartnerUserInvitation | None:
    """The usable (pending, unexpired) invitation for a raw token, or None for any other case.

    Unknown, expired, cancelled and used tokens do the same work (issue 18): usability comes from the
    lookup's SQL and the constant-time comparison always runs (partnercenter.tokens.token_row_valid)."""
    usable = ExpressionWrapper(Q(status=PartnerUserInvitationStatus.PENDING, expires_at__gt=timezone.now()),
                               output_field=BooleanField())
    invitation = (
        PartnerUserInvitation.objects.select_related("partner", "invited_by").annotate(usable=usable)
        .filter(token_hash__in=token_hashes(token))  # one hash per pepper version
        .first()
    )
    if not token_row_valid(token, invitation):
        return None
    assert invitation is not None
    token_rehash(invitation, field="token_hash", token=token)  # hashed before a pepper rotation
    return invitation


def partner_users_with_roles(*, partner: Partner, roles: set[str]) -> list[User]:
    """The partner's users holding any of `roles`, by email (who gets the partner's notices)."""
    memberships = PartnerMembership.objects.filter(partner=partner).select_related("user").order_by("user__email")
    return [m.user for m in memberships if roles & set(m.roles)]
