"""Reads for API keys: the partner's list, one key, and the key behind a bearer token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from partnercenter.compiled_queries import CompiledQuery
from partnercenter.tokens import token_hashes, token_matches, token_rehash
from partners.models import ApiKey

if TYPE_CHECKING:
    from partners.models import Partner

KEY_PREFIX = "pck_"


def api_key_list_for_partner(*, partner: Partner) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(partner=partner).select_related("created_by", "revoked_by").order_by("-created_at", "-id")


def api_key_get_for_partner(*, partner: Partner, api_key_pk: int) -> ApiKey:
    try:
        return ApiKey.objects.get(partner=partner, pk=api_key_pk)
    except ApiKey.DoesNotExist as exc:
        raise Http404 from exc


# Every API request's first statement: compiled once per process (partnercenter.compiled_queries).
_KEY_BY_HASH = CompiledQuery(lambda key_hashes: ApiKey.objects.select_related("partner", "user").filter(key_hash__in=key_hashes).order_by("pk")[:1])


def api_key_for_token(*, token: str) -> ApiKey | None:
    """The usable key for a raw secret, or None (unknown, revoked and expired alike)."""
    if not token.startswith(KEY_PREFIX) or len(token) > 200:
        return None
    api_key = next(iter(_KEY_BY_HASH.fetch(token_hashes(token))), None)
    if api_key is None or not token_matches(token, api_key.key_hash):
        return None
    if not api_key.is_usable or api_key.user is None:
        return None
    # Hashed under a previous pepper (before a rotation): store the current pepper's hash.
    token_rehash(api_key, field="key_hash", token=token)
    return api_key
