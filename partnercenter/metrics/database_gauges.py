"""Gauges counted from the database at scrape time: the same answer from every web process.

Read-only aggregate queries over indexed status columns (one GROUP BY per table). They live here,
not in each app's selectors, because they are about the whole system, not one tenant.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import models
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from invitations.choices import InvitationStatus
from invitations.models import Invitation
from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage, WebhookDelivery
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.models import DelegatedAdminGrant, Relationship


def _by_status(queryset, choices) -> dict[str, int]:
    counts = {value: 0 for value in choices.values}
    for row in queryset.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


class DatabaseStateCollector(Collector):
    def collect(self) -> Iterator[Metric]:

        now = timezone.now()
        outbox = GaugeMetricFamily(
            "partnercenter_outbox_messages", "Outbox rows by kind (email, webhook) and state.", labels=["kind", "state"]
        )
        oldest = GaugeMetricFamily(
            "partnercenter_outbox_oldest_queued_age_seconds",
            "Age of the oldest queued outbox row by kind (0 when none is queued).",
            labels=["kind"],
        )
        for kind, model in (("email", OutboxMessage), ("webhook", WebhookDelivery)):
            for state, count in _by_status(model.objects.all(), DeliveryStatus).items():
                outbox.add_metric([kind, state], count)
            first = model.objects.filter(status=DeliveryStatus.QUEUED).aggregate(first=Min("created_at"))["first"]
            oldest.add_metric([kind], max((now - first).total_seconds(), 0.0) if first else 0.0)
        yield outbox
        yield oldest

        gauges: tuple[
            tuple[str, str, type[Invitation | DelegatedAdminGrant | Relationship], type[models.TextChoices]], ...
        ] = (
            ("partnercenter_invitations", "Customer invitations by state.", Invitation, InvitationStatus),
            ("partnercenter_delegated_admin_grants", "Delegated admin grants by state.", DelegatedAdminGrant, GrantStatus),
            ("partnercenter_relationships", "Reseller relationships by state.", Relationship, RelationshipStatus),
        )
        for name, documentation, stateful, choices in gauges:
            family = GaugeMetricFamily(name, documentation, labels=["state"])
            for state, count in _by_status(stateful.objects.all(), choices).items():
                family.add_metric([state], count)
            yield family
