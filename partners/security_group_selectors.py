"""Reads over partner security groups (issue 23): a partner's groups, one group, its members."""

from __future__ import annotations

import uuid

from django.db.models import Count, QuerySet
from django.http import Http404

from partners.models import Partner, PartnerMembership, PartnerSecurityGroup


def security_groups_for_partner(*, partner: Partner) -> QuerySet[PartnerSecurityGroup]:
    """The partner's groups by name, with `member_count` annotated (one query)."""
    return PartnerSecurityGroup.objects.filter(partner=partner).annotate(member_count=Count("members")).order_by("name", "pk")


def security_group_for_partner(*, partner: Partner, object_id: str | uuid.UUID) -> PartnerSecurityGroup:
    """The partner's group with this object id; another partner's, or a malformed id, is 404."""
    try:
        guid = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError as exc:
        raise Http404 from exc
    group = PartnerSecurityGroup.objects.filter(partner=partner, object_id=guid).first()
    if group is None:
        raise Http404
    return group


def security_group_by_object_id(*, partner: Partner, object_id: str) -> PartnerSecurityGroup | None:
    """The partner's group with this object id, or None (no error: the caller explains)."""
    try:
        guid = uuid.UUID(str(object_id))
    except ValueError:
        return None
    return PartnerSecurityGroup.objects.filter(partner=partner, object_id=guid).first()


def security_group_members(*, group: PartnerSecurityGroup) -> QuerySet[PartnerMembership]:
    return group.members.select_related("user").order_by("user__email", "pk")


def membership_for_partner(*, partner: Partner, membership_pk: int | str) -> PartnerMembership:
    try:
        return PartnerMembership.objects.select_related("user").get(partner=partner, pk=int(membership_pk))
    except (ValueError, TypeError, PartnerMembership.DoesNotExist) as exc:
        raise Http404 from exc
