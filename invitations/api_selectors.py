"""Reads the API needs beyond invitations.selectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from invitations.choices import LinkStatus
from invitations.models import Invitation, RelationshipLink

if TYPE_CHECKING:
    from partners.models import Partner


def invitation_lock_for_partner(*, partner: Partner, invitation_pk: int) -> Invitation:
    """Lock the partner's invitation for an update (inside the caller's transaction), or 404."""
    invitation = (Invitation.objects.select_for_update(of=("self",)).select_related("partner")
                  .filter(partner=partner, pk=invitation_pk).first())
    if invitation is None:
        raise Http404
    return invitation


def active_relationship_link(*, partner: Partner) -> RelationshipLink | None:
    return RelationshipLink.objects.filter(partner=partner, status=LinkStatus.ACTIVE).select_related("partner").first()
