"""Reads of the audit log: a tenant's activity, an object's timeline.

Every list is scoped by construction: a partner's activity is `AuditEvent.partner == partner`, a
customer's is `AuditEvent.customer == customer`; filters may only narrow that set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


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


def audit_events_for_partner(*, partner: Partner, filters: ActivityFilters | None = None) -> QuerySet[AuditEvent]:
    """The partner's own events, newest first (index `audit_partner_time`)."""
    events = AuditEvent.objects.filter(partner=partner)
    return _filtered(events, filters or ActivityFilters()).select_related("customer").order_by("-occurred_at", "-id")


def audit_events_for_customer(*, customer: Customer, filters: ActivityFilters | None = None) -> QuerySet[AuditEvent]:
    """Everything recorded about the customer's tenant, partner actions included, newest first."""
    events = AuditEvent.objects.filter(customer=customer)
    return _filtered(events, filters or ActivityFilters()).select_related("partner").order_by("-occurred_at", "-id")


def _actor_labels(events: QuerySet[AuditEvent], limit: int) -> list[str]:
    return list(events.order_by("actor_label").values_list("actor_label", flat=True).distinct()[:limit])


def audit_actor_labels_for_partner(*, partner: Partner, limit: int = 500) -> list[str]:
    """Who appears as actor in the partner's own events, for the user filter (one query)."""
    return _actor_labels(AuditEvent.objects.filter(partner=partner), limit)


def audit_actor_labels_for_customer(*, customer: Customer, limit: int = 500) -> list[str]:
    return _actor_labels(AuditEvent.objects.filter(customer=customer), limit)


def audit_customers_for_partner(*, partner: Partner) -> QuerySet[Customer]:
    """Customers that appear in the partner's own events (never any other customer)."""
    from customers.models import Customer

    ids = AuditEvent.objects.filter(partner=partner, customer__isnull=False).values("customer_id")
    return Customer.objects.filter(pk__in=ids).order_by("company_name")


def audit_partners_for_customer(*, customer: Customer) -> QuerySet[Partner]:
    from partners.models import Partner

    ids = AuditEvent.objects.filter(customer=customer, partner__isnull=False).values("partner_id")
    return Partner.objects.filter(pk__in=ids).order_by("name")


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
