"""Reads for Partner settings → Sign-in security: the members' second factors and their sign-in log."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from accounts.mfa_policy import SECOND_FACTORS
from accounts.models import SignInEvent
from accounts.sign_in_selectors import sign_in_events_for_users
from partners.models import Partner, PartnerMembership


def partner_sign_in_events(*, partner: Partner) -> QuerySet[SignInEvent]:
    """Sign-ins of the partner's current users, newest first (nobody else's: the user ids come
    from this partner's memberships)."""
    return sign_in_events_for_users(user_ids=PartnerMembership.objects.filter(partner=partner).values("user_id"))


def partner_members_without_mfa(*, partner: Partner) -> list[PartnerMembership]:
    """The partner's users with no authenticator app or security key yet, by email."""
    with_mfa = Authenticator.objects.filter(type__in=SECOND_FACTORS).values("user_id")
    return list(
        PartnerMembership.objects.filter(partner=partner).exclude(user_id__in=with_mfa)
        .select_related("user").order_by("user__email")
    )
