"""`{% audit_timeline obj %}`: an object's history, newest first; filters that put events into words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import template
from django.db.models import Model

from audit.formatting import Change, Detail, changes, details, target_type_label
from audit.selectors import audit_events_for_targets
from audit.wording import label_words
from notifications.selectors import outbox_messages_for_topics

register = template.Library()

# Objects whose emails are outbox rows with the topic "<prefix>:<pk>", shown in their timeline.
DELIVERY_TOPICS = {"invitations.invitation": "invitation"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    actor: str = ""
    status: str = ""
    status_label: str = ""
    changes: list[Change] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)


def _objects(args: Iterable[Any]) -> list[Model]:
    found: list[Model] = []
    for arg in args:
        if isinstance(arg, Model):
            found.append(arg)
        elif isinstance(arg, Iterable) and not isinstance(arg, str | bytes):
            found.extend(item for item in arg if isinstance(item, Model))
    return found


def timeline_entries(objects: list[Model], *, limit: int = 200) -> list[TimelineEntry]:
    """Audit events on `objects` plus their email deliveries, newest first, in two queries."""
    entries = [
        TimelineEntry(
            at=event.occurred_at,
            title=event.action_label,
            actor=event.actor_label,
            changes=changes(event.data),
            details=details(event.data),
        )
        for event in audit_events_for_targets(targets=objects, limit=limit)
    ]
    topics = [
        f"{DELIVERY_TOPICS[obj._meta.label_lower]}:{obj.pk}"
        for obj in objects
        if obj._meta.label_lower in DELIVERY_TOPICS
    ]
    if topics:
        for message in outbox_messages_for_topics(topics=topics, limit=limit):
            entries.append(
                TimelineEntry(
                    at=message.sent_at or message.failed_at or message.created_at,
                    title=message.subject or message.template,
                    actor=message.recipient,
                    status=message.status,
                    status_label=message.get_status_display(),
                )
            )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


@register.inclusion_tag("audit/includes/timeline.html")
def audit_timeline(*objects: Any) -> dict[str, Any]:
    """`{% audit_timeline invitation %}` or `{% audit_timeline relationship grants %}` (objects or lists)."""
    return {"entries": timeline_entries(_objects(objects))}


@register.filter
def audit_changes(data: dict[str, Any] | None) -> list[Change]:
    return changes(data)


@register.filter
def audit_details(data: dict[str, Any] | None) -> list[Detail]:
    return details(data)


@register.filter
def audit_target_label(label: str) -> str:
    return label_words(label or "")


@register.filter
def audit_target_type(target_type: str) -> str:
    return target_type_label(target_type)
