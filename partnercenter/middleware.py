"""Request id (one per request, echoed in `X-Request-ID`, in logs and audit events) and the viewer's time zone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from partnercenter import request_context

_VALID_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a proxy, configure it to set REMOTE_ADDR (gunicorn --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_context.bind(
            request_context.RequestContext(
                request_id=request_id,
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:400],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


TIMEZONE_COOKIE = "tz"


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


class ViewerTimezoneMiddleware:
    """Show times in the viewer's time zone, which the browser reports in the `tz` cookie.

    static/js/app.js sets the cookie from `Intl.DateTimeFormat().resolvedOptions().timeZone`; until
    then (and for an unknown name) times are in UTC (settings.TIME_ZONE).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = _zone(unquote(request.COOKIES.get(TIMEZONE_COOKIE, "")))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
