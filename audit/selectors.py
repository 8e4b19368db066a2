"""Reads of the audit log: a tenant's activity, an object's timeline.

Every list is scoped by construction: a partner's activity is `AuditEvent.partner == partner`, a
customer's is `AuditEvent.customer == customer`; filters may only narrow that set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent, AuditFilterChoice


@dataclass(frozen=True)
class ActivityFilters:
    """What the viewer narrowed the list to. Dates are whole days in the viewer's time zone."""

    date_from: date | None = None
    date_to: date | None = None
    action: str = ""
    actor: str = ""  # the actor's label (email) as recorded
    customer_tenant_id: str = ""
    partner_id: str = ""  # the public Partner ID


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _filtered(events: QuerySet[AuditEvent], filters: ActivityFilters) -> QuerySet[AuditEvent]:
    if filters.date_from:
        events = events.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_label=filters.actor)
    if filters.customer_tenant_id:
        events = events.filter(customer__tenant_id=filters.customer_tenant_id)
    if filters.partner_id:
        events = events.filter(partner__partner_id=filters.partner_id)
    return events


def audit_events_for_partner(*, partner: Model, filters: ActivityFilters | None = None) -> QuerySet[AuditEvent]:
    """The partner's own events, newest first (index `audit_partner_time`)."""
    events = AuditEvent.objects.filter(partner_id=partner.pk)  # by id: the partner model sits above audit
    return _filtered(events, filters or ActivityFilters()).select_related("customer").order_by("-occurred_at", "-id")


def audit_events_for_customer(*, customer: Model, filters: ActivityFilters | None = None) -> QuerySet[AuditEvent]:
    """Everything recorded about the customer's tenant, partner actions included, newest first."""
    events = AuditEvent.objects.filter(customer_id=customer.pk)  # by id: the customer model sits above audit
    return _filtered(events, filters or ActivityFilters()).select_related("partner").order_by("-occurred_at", "-id")


def distinct_values(*, scope: str, scope_id: int, column: str, limit: int) -> list[Any]:
    """The distinct non-null `column` values among the events where `scope` = `scope_id`, ascending.

    One index read of `AuditFilterChoice` (audit/filter_choices.py), the choices the database adds
    as events are inserted: the cost follows the number of values listed, not the number of events
    or partitions (issue 25; before, a skip scan probed every monthly partition's index once per
    value). `scope` and `column` are names from this module only.
    """
    kind = _SCOPES.get(scope, {}).get(column)
    if kind is None:
        raise ValueError(f"no index for listing {column} by {scope}")
    value = "label" if kind == "actor" else "ref_id"
    choices = AuditFilterChoice.objects.filter(scope=scope.removesuffix("_id"), scope_id=scope_id, kind=kind)
    return list(choices.order_by(value).values_list(value, flat=True)[:limit])


# scope column -> listed column -> the kind of choice that lists it.
_SCOPES = {
    "partner_id": {"actor_label": "actor", "customer_id": "customer"},
    "customer_id": {"actor_label": "actor", "partner_id": "partner"},
}


def _related_model(field_name: str) -> type[Model]:
    """The model an event's foreign key points to (the partner or customer model), found through the
    field rather than imported: those apps sit above audit."""
    return AuditEvent._meta.get_field(field_name).related_model  # type: ignore[return-value]


def audit_actor_labels_for_partner(*, partner: Model, limit: int = 500) -> list[str]:
    """Who appears as actor in the partner's own events, for the user filter (one query)."""
    return distinct_values(scope="partner_id", scope_id=partner.pk, column="actor_label", limit=limit)


def audit_actor_labels_for_customer(*, customer: Model, limit: int = 500) -> list[str]:
    return distinct_values(scope="customer_id", scope_id=customer.pk, column="actor_label", limit=limit)


def audit_customers_for_partner(*, partner: Model, limit: int = 2000) -> QuerySet[Model]:
    """Customers that appear in the partner's own events (never any other customer)."""
    ids = distinct_values(scope="partner_id", scope_id=partner.pk, column="customer_id", limit=limit)
    return _related_model("customer")._default_manager.filter(pk__in=ids).order_by("company_name")


def audit_partners_for_customer(*, customer: Model, limit: int = 2000) -> QuerySet[Model]:
    ids = distinct_values(scope="customer_id", scope_id=customer.pk, column="partner_id", limit=limit)
    return _related_model("partner")._default_manager.filter(pk__in=ids).order_by("name")


def audit_events_for_targets(*, targets: Iterable[Model], limit: int = 200) -> list[AuditEvent]:
    """Events whose target is one of `targets`, newest first (index `audit_target`), in one query."""
    by_type: dict[str, list[str]] = {}
    for obj in targets:
        if obj is not None and obj.pk is not None:
            by_type.setdefault(obj._meta.label_lower, []).append(str(obj.pk))
    if not by_type:
        return []
    condition = Q()
    for target_type, ids in by_type.items():
        condition |= Q(target_type=target_type, target_id__in=ids)
    return list(AuditEvent.objects.filter(condition).order_by("-occurred_at", "-id")[:limit])
