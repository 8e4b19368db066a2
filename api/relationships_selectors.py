"""Reads the API needs beyond relationships.selectors: the partner's relationships, any status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from relationships.choices import RelationshipStatus
from relationships.models import DelegatedAdminGrant, Relationship

if TYPE_CHECKING:
    from partners.models import Partner


def relationship_list_for_partner(*, partner: Partner, status: str = "", tenant_id: str = "") -> QuerySet[Relationship]:
    queryset = Relationship.objects.filter(partner=partner).select_related("customer").order_by("-established_at", "-id")
    if status in RelationshipStatus.values:
        queryset = queryset.filter(status=status)
    if tenant_id:
        queryset = queryset.filter(customer__tenant_id=tenant_id)
    return queryset


def relationship_get_for_partner(*, partner: Partner, relationship_pk: int) -> Relationship:
    try:
        return relationship_list_for_partner(partner=partner).get(pk=relationship_pk)
    except Relationship.DoesNotExist as exc:
        raise Http404 from exc


def grant_for_api(*, partner: Partner, grant_pk: int) -> DelegatedAdminGrant:
    """The partner's grant with its customer and access assignments, or 404."""
    try:
        return (DelegatedAdminGrant.objects.select_related("customer").prefetch_related("access_assignments")
                .get(partner=partner, pk=grant_pk, customer__isnull=False))
    except DelegatedAdminGrant.DoesNotExist as exc:
        raise Http404 from exc


def grant_lock_for_partner(*, partner: Partner, grant_pk: int) -> DelegatedAdminGrant:
    """Lock the partner's grant for an update (inside the caller's transaction), or 404."""
    grant = DelegatedAdminGrant.objects.select_for_update(of=("self",)).filter(partner=partner, pk=grant_pk).first()
    if grant is None:
        raise Http404
    return grant


def relationship_lock_for_partner(*, partner: Partner, relationship_pk: int) -> Relationship:
    """Lock the partner's relationship for an update (inside the caller's transaction), or 404."""
    relationship = (Relationship.objects.select_for_update(of=("self",)).select_related("customer")
                    .filter(partner=partner, pk=relationship_pk).first())
    if relationship is None:
        raise Http404
    return relationship
