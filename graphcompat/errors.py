"""Graph's error shape: {"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import JsonResponse
from django.utils import timezone

if TYPE_CHECKING:
    from django.http import HttpRequest

# Our domain error codes (GrantError.code) → (HTTP status, Graph error code).
DOMAIN_CODES: dict[str, tuple[int, str]] = {
    "name_exists": (409, "nameAlreadyExists"),
    "not_found": (404, "itemNotFound"),
    "forbidden": (403, "accessDenied"),
    "daily_cap": (429, "TooManyRequests"),
    "recipient_daily_cap": (429, "TooManyRequests"),
}


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(request: HttpRequest, error: GraphError) -> JsonResponse:
    response = JsonResponse({"error": {
        "code": error.code,
        "message": str(error.message),
        "innerError": {
            "date": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "request-id": getattr(request, "request_id", ""),
            "client-request-id": request.headers.get("client-request-id", ""),
        },
    }}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
