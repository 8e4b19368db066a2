"""Saved views (issue 24, item 3): reads. Always the member's own rows in the member's partner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connection
from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
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


@dataclass(frozen=True)
class SavedViewRow:
    """A saved view as a list page shows it (read along with the membership, no query of its own)."""

    pk: int
    name: str
    query_string: str
    is_default: bool


class _JSONGroupArray(Aggregate):
    """SQLite's json_group_array: one JSON array of the rows' JSON objects."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()


def memberships_with_saved_views(queryset: QuerySet[PartnerMembership], *, list_name: str) -> QuerySet[PartnerMembership]:
    """Annotate each membership with its user's saved views of one list (`saved_views_data`, a JSON
    array ordered by name): the list pages read them in the query that already loads the user's
    memberships, so saved views cost a list page no query (the default view included)."""
    row = JSONObject(pk="pk", name="name", query_string="query_string", is_default="is_default")
    # PostgreSQL aggregates in order; SQLite (the embedded default) has no JSONB_AGG and, before 3.44,
    # no ORDER BY inside an aggregate: its rows are put in order by saved_view_rows.
    items = JSONBAgg(row, order_by=("name", "pk")) if connection.vendor == "postgresql" else _JSONGroupArray(row)
    views = (SavedView.objects.filter(user_id=OuterRef("user_id"), partner_id=OuterRef("partner_id"), list_name=list_name)
             .order_by().values("user_id").annotate(items=items).values("items"))
    return queryset.annotate(saved_views_data=Subquery(views))


def saved_view_rows(membership: PartnerMembership) -> list[SavedViewRow]:
    """The views annotated by memberships_with_saved_views on this membership (none when not annotated)."""
    data: list[dict[str, Any]] = getattr(membership, "saved_views_data", None) or []
    if connection.vendor != "postgresql":  # SQLite aggregated them unordered (memberships_with_saved_views)
        data = sorted(data, key=lambda item: (str(item["name"]), int(item["pk"])))
    return [SavedViewRow(pk=int(item["pk"]), name=str(item["name"]), query_string=str(item["query_string"]),
                         is_default=bool(item["is_default"])) for item in data]
