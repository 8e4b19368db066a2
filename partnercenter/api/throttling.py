"""Rate limits per API key (429 with Retry-After), counted by the one limiter (ratelimits.services).

The count is made during authentication, in the same statement as the invalid-key checks.

/api/v1 uses this class through DRF; the Graph-compatible API calls it directly, so a key's calls
to both count together. Each request is one atomic upsert of the key's counter for the current
window: sixteen parallel clients cannot pass more than the limit between them (the old cache
counter read, then wrote, and let every racing request through).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.throttling import BaseThrottle

from partnercenter.api.authentication import ApiPrincipal

if TYPE_CHECKING:
    from rest_framework.request import Request


class ApiKeyRateThrottle(BaseThrottle):
    """Answers with the count authentication made (partnercenter.api.key_guessing.key_request_count):
    one statement per request counts the key and checks its address's and prefix's invalid keys."""

    retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        principal = request.auth
        if not isinstance(principal, ApiPrincipal) or principal.rate_decision is None:
            return True  # not a key request, or no API_RATE_LIMIT
        self.retry_after = principal.rate_decision.retry_after
        return principal.rate_decision.allowed

    def wait(self) -> float | None:
        return self.retry_after
