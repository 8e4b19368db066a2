"""Retention of the sign-in log."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import SignInEvent

PURGE_BATCH = 5_000


def sign_in_events_purge(*, older_than_days: int | None = None) -> int:
    """Delete sign-in events older than `older_than_days` (default SIGN_IN_EVENT_RETENTION_DAYS),
    in batches so no statement holds many rows; returns how many went. Idempotent (beat, daily)."""
    days = settings.SIGN_IN_EVENT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(SignInEvent.objects.filter(at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            return deleted
        deleted += SignInEvent.objects.filter(pk__in=ids).delete()[0]
