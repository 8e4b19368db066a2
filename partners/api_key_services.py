"""API keys: created and revoked by an account admin; each acts as the partner through its own actor.

Design: every key owns a technical `User` (no usable password, inactive, so it can never sign in;
email `api-key-<id>@<partner verified domain>.invalid`). When the key calls the API, services
receive `api_key_actor(...)`: an *unsaved* PartnerMembership of that user holding the roles the
key's scopes need (partners.permissions.roles_for_scopes). Existing services then work unchanged
and record the technical user as the actor, labelled "API key <name>" in audit events (see
partnercenter.request_context.bind_actor). The membership is never saved, so the key never shows
up among the partner's users, never counts as an account admin and never receives their email.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction as IntegrationAuditAction
from audit.services import audit_record
from partnercenter.errors import DomainError
from partnercenter.tokens import token_hash
from partners.api_key_selectors import KEY_PREFIX
from partners.authz import Permission, authorize
from partners.models import ApiIdempotencyKey, ApiKey, PartnerMembership
from partners.permissions import ApiScope, roles_for_scopes

DISPLAY_PREFIX_LENGTH = 12  # "pck_" + 8 characters of the secret, enough to tell keys apart
MAX_EXPIRY_DAYS = 730
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyError(DomainError):
    pass


@dataclass(frozen=True)
class IssuedApiKey:
    """A new key and its secret, which is shown this once and never stored."""

    api_key: ApiKey
    token: str


def clean_scopes(scopes: list[str]) -> list[str]:
    unknown = set(scopes) - {scope.value for scope in ApiScope}
    if unknown:
        raise ApiKeyError("unknown_scope", _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(sorted(unknown))}, field="scopes")
    ordered: list[str] = [scope.value for scope in ApiScope if scope.value in scopes]
    if not ordered:
        raise ApiKeyError("scopes_required", _("Choose at least one scope."), field="scopes")
    return ordered


@transaction.atomic
def api_key_create(
    *, membership: PartnerMembership, name: str, scopes: list[str], expires_in_days: int | None = None
) -> IssuedApiKey:
    """Create a key for the member's partner.

    Pre: the member is an account admin; the name is free among the partner's active keys; at
    least one known scope; expiry (optional) 1-730 days. Post: the key row (hash and display
    prefix only), its technical user, an audit event. The secret is returned, never stored.
    """

    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ApiKeyError("name_required", _("Give the key a name of up to 100 characters."), field="name")
    scopes = clean_scopes(scopes)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ApiKeyError("invalid_expiry", _("The expiry must be between 1 and 730 days."), field="expires_in_days")
    if ApiKey.objects.filter(partner_id=membership.partner_id, name=name, revoked_at__isnull=True).exists():
        raise ApiKeyError("name_taken", _("An API key with this name already exists."), field="name")
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            api_key = ApiKey.objects.create(
                partner_id=membership.partner_id, name=name, prefix=token[:DISPLAY_PREFIX_LENGTH], key_hash=token_hash(token),
                scopes=scopes, created_by=membership.user, created_at=now,
                expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
            )
    except IntegrityError as exc:  # a concurrent creation took the name
        raise ApiKeyError("name_taken", _("An API key with this name already exists."), field="name") from exc
    api_key.user = User.objects.create_user(
        email=f"api-key-{api_key.pk}@{membership.partner.verified_domain}.invalid",
        password=None, full_name=api_key.actor_label[:150], is_active=False,
    )
    api_key.save(update_fields=["user"])
    audit_record(
        action=IntegrationAuditAction.API_KEY_CREATED,
        actor=membership.user, partner=membership.partner, target=api_key,
        after={"name": name, "prefix": api_key.prefix, "scopes": scopes,
               "expires_at": api_key.expires_at.isoformat() if api_key.expires_at else None},
    )
    return IssuedApiKey(api_key=api_key, token=token)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, membership: PartnerMembership) -> ApiKey:
    """Revoke a key of the member's partner: it stops authenticating with the next request."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS, api_key)
    now = timezone.now()
    updated = ApiKey.objects.filter(pk=api_key.pk, partner_id=membership.partner_id, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=membership.user
    )
    if updated != 1:
        raise ApiKeyError("not_active", _("This API key is already revoked."))
    api_key.revoked_at, api_key.revoked_by = now, membership.user
    audit_record(
        action=IntegrationAuditAction.API_KEY_REVOKED,
        actor=membership.user, partner=membership.partner, target=api_key,
        before={"status": "active"}, after={"status": "revoked"},
    )
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key (a conditional UPDATE, no audit event)."""
    now = timezone.now()
    if api_key.last_used_at is not None and api_key.last_used_at > now - LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    api_key.last_used_at = now


def api_key_actor(*, api_key: ApiKey) -> PartnerMembership:
    """The actor services receive for this key: an unsaved membership of its technical user."""
    return PartnerMembership(partner=api_key.partner, user=api_key.user, roles=roles_for_scopes(api_key.scopes))


def api_idempotency_keys_purge(*, older_than_hours: int | None = None) -> int:
    """Forget Idempotency-Keys past their lifetime (Celery beat). Returns how many."""


    hours = older_than_hours if older_than_hours is not None else settings.API_IDEMPOTENCY_TTL_HOURS
    deleted, _by_model = ApiIdempotencyKey.objects.filter(created_at__lt=timezone.now() - timedelta(hours=hours)).delete()
    return deleted
