"""`Authorization: Bearer <API key>`: the partner's key, its scopes and its service actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from partnercenter import request_context
from partnercenter.api.key_guessing import key_guessing_count, key_request_count
from partners.api_key_selectors import api_key_for_token
from partners.api_key_services import api_key_actor, api_key_touch
from partners.permissions import scopes_granted

if TYPE_CHECKING:
    from rest_framework.request import Request

    from partners.models import ApiKey, Partner, PartnerMembership
    from ratelimits.services import LimitDecision


@dataclass(frozen=True)
class ApiPrincipal:
    """`request.auth` for API calls: the key, the scopes it holds and the actor services receive."""

    api_key: ApiKey
    scopes: frozenset[str]
    membership: PartnerMembership
    rate_decision: LimitDecision | None = None  # this request's count against the key's rate limit

    @property
    def partner(self) -> Partner:
        return self.api_key.partner


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiPrincipal] | None:

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            key_guessing_count(request, "")
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from exc
        api_key = api_key_for_token(token=token)
        if api_key is None:
            # Guessing is limited per client address and per key prefix (429 with Retry-After).
            key_guessing_count(request, token)
            # Unknown, revoked and expired keys all get the same answer.
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        # One statement: the key's rate limit (answered by ApiKeyRateThrottle) and, before anything
        # else is done for it, the invalid-key limits of this address and this prefix.
        rate_decision = key_request_count(request, token, api_key_pk=api_key.pk)
        api_key_touch(api_key=api_key)
        # Audit events written while this request runs name the key, not its technical user.
        request_context.bind_actor(user_id=api_key.user_id, label=api_key.actor_label)
        # Log lines and the tasks this request enqueues name the key's user and partner.
        request_context.bind_viewer(user_id=api_key.user_id, partner_id=str(api_key.partner.partner_id))
        principal = ApiPrincipal(api_key=api_key, scopes=scopes_granted(api_key.scopes), membership=api_key_actor(api_key=api_key),
                                 rate_decision=rate_decision)
        return api_key.user, principal

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "partnercenter.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "pck_…",
            "description": str(_("A partner API key from Partner settings → API keys, sent as `Authorization: Bearer <key>`.")),
        }
