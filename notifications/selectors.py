"""Reads of the outbox (delivery state only: the sealed body is never loaded)."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import OutboxMessage


def outbox_messages_for_topics(*, topics: list[str], limit: int = 200) -> QuerySet[OutboxMessage]:
    """Deliveries about these objects ("invitation:42", ...), newest first, in one query."""
    return OutboxMessage.objects.filter(topic__in=topics).defer("sealed_body").order_by("-created_at", "-id")[:limit]
