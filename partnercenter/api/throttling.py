"""Rate limits per API key (429 with Retry-After), counted by the one limiter (ratelimits.services).

/api/v1 uses this class through DRF; the Graph-compatible API calls it directly, so a key's calls
to both count together. Each request is one atomic upsert of the key's counter for the current
window: sixteen parallel clients cannot pass more than the limit between them (the old cache
counter read, then wrote, and let every racing request through).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from partnercenter.api.authentication import ApiPrincipal
from ratelimits.rates import parse_rate
from ratelimits.services import limit_consume

if TYPE_CHECKING:
    from rest_framework.request import Request


class ApiKeyRateThrottle(BaseThrottle):
    retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        # The rate is read per request (not at import) so it can change without a restart.
        rate = parse_rate(settings.API_RATE_LIMIT)
        if rate is None or not isinstance(request.auth, ApiPrincipal):
            return True
        decision = limit_consume(bucket=f"api-key:{request.auth.api_key.pk}", rate=rate, durable=False)
        self.retry_after = decision.retry_after
        return decision.allowed

    def wait(self) -> float | None:
        return self.retry_after
