"""Posting a webhook: one HTTP attempt, no redirects, no proxies, private addresses refused.

Unless WEBHOOK_ALLOW_PRIVATE_HOSTS is on (tests, local demos), a subscription URL may not point at
loopback, private, link-local or otherwise reserved addresses, checked when the URL is saved and
again (after DNS resolution) before each attempt, so a webhook cannot be aimed at our own network.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

RESPONSE_READ_LIMIT = 4096


@dataclass(frozen=True)
class AttemptResult:
    status: int | None  # the HTTP status, None when no answer came
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def destination_refusal(url: str, *, resolve: bool) -> str | None:
    """Why this URL may not receive webhooks, or None. `resolve` also checks the DNS answers."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        return _("The URL must start with https://.")
    host = parts.hostname
    if not host:
        return _("The URL needs a host name.")
    if parts.username or parts.password:
        return _("The URL may not contain credentials.")
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return None
    refusal = _("The URL must point to a public address.")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return refusal
    try:
        return refusal if _address_refused(host) else None
    except ValueError:
        pass  # a name, not an address
    if not resolve:
        return None
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
    except OSError:
        return _("The host name does not resolve.")
    if any(_address_refused(str(info[4][0])) for info in infos):
        return refusal
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 3xx is an answer like any other non-2xx: the delivery failed


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> AttemptResult:
    refusal = destination_refusal(url, resolve=True)
    if refusal:
        return AttemptResult(status=None, error=str(refusal))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 — scheme checked above
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(RESPONSE_READ_LIMIT)
            return AttemptResult(status=response.status)
    except urllib.error.HTTPError as exc:
        return AttemptResult(status=exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return AttemptResult(status=None, error=f"{type(exc).__name__}: {reason}"[:500])
