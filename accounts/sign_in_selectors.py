"""Reads of the sign-in log. Tenancy is the caller's: it passes the ids of the users it may see
(a partner's members, a tenant's users) as a subquery, so no other user's row can come back."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import SignInEvent


def sign_in_events_for_users(*, user_ids: QuerySet) -> QuerySet[SignInEvent]:
    """Sign-ins of the users whose ids `user_ids` (a `.values("user_id")` subquery) yields, newest first."""
    return SignInEvent.objects.filter(user_id__in=user_ids).select_related("user").order_by("-at", "-pk")
