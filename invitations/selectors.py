"""Reads for invitations: the partner's lists and what a link shows to the customer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, CharField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils import timezone

from invitations.choices import InvitationKind, InvitationStatus, LinkStatus
from invitations.email_failures import INVITATION_EMAIL_TEMPLATES
from invitations.models import Invitation, RelationshipLink
from notifications.models import OutboxMessage
from partnercenter.compiled_queries import CompiledQuery
from partnercenter.directory_roles import role_names
from partnercenter.tokens import token_hashes, token_rehash, token_row_valid
from partners.models import PartnerMembership

if TYPE_CHECKING:
    from accounts.models import User
    from partners.models import Partner


_Invitation = TypeVar("_Invitation", bound=Invitation)


def expiring_soon(queryset: QuerySet[_Invitation], *, now: datetime | None = None) -> QuerySet[_Invitation]:
    """The pending invitations of `queryset` whose link expires within FUNNEL_EXPIRING_INVITATION_DAYS, soonest
    first: the onboarding funnel's "about to expire" and the Invitations page's `expiring=soon` filter."""
    now = now or timezone.now()
    return (queryset.filter(status=InvitationStatus.PENDING, expires_at__gt=now,
                            expires_at__lte=now + timedelta(days=settings.FUNNEL_EXPIRING_INVITATION_DAYS))
            .order_by("expires_at", "pk"))


def invitation_list_for_partner(*, partner: Partner, status: str = "", q: str = "", expiring: bool = False) -> QuerySet[Invitation]:
    """The partner's invitations with their latest delivery state, in a constant number of queries;
    `expiring`: only the pending ones expiring soon, soonest first (see `expiring_soon`)."""
    topic = Concat(Value("invitation:"), Cast(OuterRef("pk"), output_field=CharField()))
    latest_delivery = (
        OutboxMessage.objects.filter(partner=partner, topic=topic, template__in=INVITATION_EMAIL_TEMPLATES)
        .order_by("-created_at", "-id")
    )
    queryset = (
        Invitation.objects.filter(partner=partner)
        .select_related("created_by", "customer")
        .annotate(
            delivery_status=Subquery(latest_delivery.values("status")[:1]),
            delivery_id=Subquery(latest_delivery.values("pk")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    if status in InvitationStatus.values:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(Q(recipient_email__icontains=q) | Q(sent_to__icontains=q) | Q(target_domain__icontains=q) | Q(customer__company_name__icontains=q))
    if expiring:
        queryset = expiring_soon(queryset)
    return queryset


def invitation_get_for_partner(*, partner: Partner, invitation_pk: int) -> Invitation:
    try:
        return Invitation.objects.select_related("partner", "created_by", "customer").get(partner=partner, pk=invitation_pk)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc


_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class Offer:
    """What a link asks for, whichever kind of link it is (a single invitation or the reusable one)."""

    partner: Partner
    kind: str
    include_delegated_admin: bool
    role_ids: list[str]
    duration_days: int | None
    expires_at: datetime | None
    recipient_email: str
    target_domain: str
    invitation: Invitation | None = None
    link: RelationshipLink | None = None
    viewer_works_for_partner: bool | None = None  # when offer_for_token was given the viewer: read with the offer


    @property
    def role_names(self) -> list[str]:
        return role_names(self.role_ids)

    @property
    def is_delegated_admin_only(self) -> bool:
        return self.kind == InvitationKind.DELEGATED_ADMIN


def _invitation_lookup(hashes: Sequence[str], *, now: datetime, viewer_pk: int | None) -> QuerySet[Invitation]:
    """The invitation with one of these token hashes (at most one), its partner, whether it is usable
    at `now`, and (with a viewer) whether the viewer works for its partner."""
    usable = ExpressionWrapper(Q(status=InvitationStatus.PENDING, expires_at__gt=now), output_field=BooleanField())
    # At most one row (token_hash is unique, one hash per pepper): no ORDER BY to compile.
    return (Invitation.objects.select_related("partner").annotate(usable=usable, **_viewer_check(viewer_pk))
            .filter(token_hash__in=hashes).order_by()[:1])


def _link_lookup(hashes: Sequence[str], *, viewer_pk: int | None) -> QuerySet[RelationshipLink]:
    """The reusable link with one of these token hashes, its partner, whether it is active, and (with a
    viewer) whether the viewer works for its partner."""
    usable = ExpressionWrapper(Q(status=LinkStatus.ACTIVE), output_field=BooleanField())
    return (RelationshipLink.objects.select_related("partner").annotate(usable=usable, **_viewer_check(viewer_pk))
            .filter(token_hash__in=hashes).order_by()[:1])


def _viewer_check(viewer_pk: int | None) -> dict[str, Exists]:
    if viewer_pk is None:
        return {}
    return {"viewer_works_for_partner": Exists(PartnerMembership.objects.filter(partner=OuterRef("partner"), user_id=viewer_pk))}


# Every acceptance page's and accept POST's two lookups, compiled once per process (issue 25: building and
# compiling them took ~2 ms of CPU each, running them ~0.2 ms; partnercenter.compiled_queries). Their values:
# the token's hashes (one per pepper), then `now` (the invitation's), then the viewer's primary key when given.
_INVITATION_BY_HASH = CompiledQuery(lambda v: _invitation_lookup(v[:-1], now=v[-1], viewer_pk=None))
_INVITATION_BY_HASH_FOR_VIEWER = CompiledQuery(lambda v: _invitation_lookup(v[:-2], now=v[-2], viewer_pk=v[-1]))
_LINK_BY_HASH = CompiledQuery(lambda v: _link_lookup(v, viewer_pk=None))
_LINK_BY_HASH_FOR_VIEWER = CompiledQuery(lambda v: _link_lookup(v[:-1], viewer_pk=v[-1]))


def _first(rows: list[_M]) -> _M | None:
    return rows[0] if rows else None


def offer_for_token(token: str, *, viewer: User | None = None) -> Offer | None:
    """The usable offer behind a raw token, or None (unknown, expired, cancelled and used alike).

    Unknown, expired, cancelled, declined, used tokens and revoked links do the same work (issue 18;
    tests/invitations/test_token_lookup_equal_work.py): both lookups run whatever the first finds, each
    row's usability comes from the lookup's SQL, and the constant-time comparison always runs.

    With a signed-in `viewer`, whether it works for the partner (which refuses acceptance) comes
    in the same statement as the offer, as `viewer_works_for_partner`."""
    if not token:
        return None
    hashes = token_hashes(token)  # one per pepper version (partnercenter.tokens)
    now = timezone.now()
    if viewer is None:
        invitation = _first(_INVITATION_BY_HASH.fetch([*hashes, now]))
        link = _first(_LINK_BY_HASH.fetch(hashes))
    else:
        invitation = _first(_INVITATION_BY_HASH_FOR_VIEWER.fetch([*hashes, now, viewer.pk]))
        link = _first(_LINK_BY_HASH_FOR_VIEWER.fetch([*hashes, viewer.pk]))
    # The index lookups find the rows; the constant-time comparisons are what accept the token.
    invitation_valid = token_row_valid(token, invitation)
    link_valid = token_row_valid(token, link)
    if invitation_valid:
        assert invitation is not None
        token_rehash(invitation, field="token_hash", token=token)  # hashed before a pepper rotation
        return Offer(
            partner=invitation.partner, kind=invitation.kind, include_delegated_admin=invitation.include_delegated_admin,
            role_ids=list(invitation.requested_roles), duration_days=invitation.grant_duration_days,
            expires_at=invitation.expires_at, recipient_email=invitation.recipient_email,
            target_domain=invitation.target_domain, invitation=invitation,
            viewer_works_for_partner=getattr(invitation, "viewer_works_for_partner", None),
        )
    if not link_valid:
        return None
    assert link is not None
    token_rehash(link, field="token_hash", token=token)
    partner = link.partner
    return Offer(
        partner=partner, kind=InvitationKind.RESELLER, include_delegated_admin=link.include_delegated_admin,
        role_ids=list(partner.default_grant_roles) if link.include_delegated_admin else [],
        duration_days=partner.default_grant_duration_days if link.include_delegated_admin else None,
        expires_at=None, recipient_email="", target_domain="", link=link,
        viewer_works_for_partner=getattr(link, "viewer_works_for_partner", None),
    )
