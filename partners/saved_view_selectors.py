"""Saved views (issue 24, item 3): reads. Always the member's own rows in the member's partner."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from partners.models import PartnerMembership, SavedView


def saved_views_for(*, membership: PartnerMembership, list_name: str) -> QuerySet[SavedView]:
    """The member's views of one list (one query, by the (user, partner, list) index)."""
    return SavedView.objects.filter(user_id=membership.user_id, partner_id=membership.partner_id,
                                    list_name=list_name).order_by("name", "pk")


def saved_view_default(*, membership: PartnerMembership, list_name: str) -> SavedView | None:
    """The member's default view of one list, if any (one query)."""
    return saved_views_for(membership=membership, list_name=list_name).filter(is_default=True).first()


def saved_view_get(*, membership: PartnerMembership, view_pk: int, for_update: bool = False) -> SavedView:
    """One of the member's views; anyone else's (another user's, another partner's) answers 404."""
    queryset = SavedView.objects.filter(user_id=membership.user_id, partner_id=membership.partner_id)
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=view_pk)
    except (SavedView.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
