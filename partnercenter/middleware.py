"""Request id (one per request, echoed in `X-Request-ID`, in logs and audit events), the viewer's time zone,
and messages storage created on first use."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import lru_cache, partial
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from partnercenter import request_context

_VALID_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a proxy, configure it to set REMOTE_ADDR (gunicorn --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META, not request.headers: building the headers mapping costs more than this whole middleware.
        meta = request.META
        incoming = meta.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_context.bind(
            request_context.RequestContext(
                request_id=request_id,
                ip_address=client_ip(request),
                user_agent=meta.get("HTTP_USER_AGENT", "")[:400],
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


class LazyMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware, with the storage created on first use.

    Most requests (API calls, JSON, redirects) neither add nor show a message; for them Django's
    middleware still builds the cookie and session storages and asks them to save nothing. Here the
    storage is created when a view or template first touches `request._messages`, and a request that
    never did has nothing to save (Django's `update()` stores only messages that were read or added).
    """

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(partial(default_storage, request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
