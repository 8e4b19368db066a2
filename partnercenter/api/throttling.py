"""Rate limits per API key (429 with Retry-After), counted in Django's cache (Redis in production)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from partnercenter.api.authentication import ApiPrincipal

if TYPE_CHECKING:
    from rest_framework.request import Request


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str | None:
        return settings.API_RATE_LIMIT or None

    def allow_request(self, request: Request, view: Any) -> bool:
        # The rate is read per request (not at import) so it can change without a restart.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiPrincipal):
            return None
        return f"api-throttle:key:{request.auth.api_key.pk}"
