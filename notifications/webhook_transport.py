"""Posting a webhook: one HTTP attempt to the address that was checked, no redirects, no proxies.

Unless WEBHOOK_ALLOW_PRIVATE_HOSTS is on (tests, on-premises receivers), a subscription URL may not
point at loopback, private, link-local, CGNAT, multicast or otherwise reserved addresses, in any
notation (see notifications/webhook_addresses.py). IP literals are judged when the URL is saved;
before each attempt the host name is resolved once, every answer is judged, and the connection is
made to the first answer, never to a second resolution: a DNS server that answers a public address
for the check and 127.0.0.1 for the connection (DNS rebinding) reaches nothing. Host header, TLS SNI
and certificate verification still use the host name from the URL.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.webhook_addresses import (
    Destination,
    RefusedAddressError,
    address_is_public,
    literal_address,
    resolve_pinned,
)

RESPONSE_READ_LIMIT = 4096


@dataclass(frozen=True)
class AttemptResult:
    status: int | None  # the HTTP status, None when no answer came
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _refusal_text() -> str:
    return _("The URL must point to a public address.")


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def destination_refusal(url: str, *, resolve: bool) -> str | None:
    """Why this URL may not receive webhooks, or None. `resolve` also resolves the name and checks the answers."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("The URL is not valid.")
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
    name = host.rstrip(".")
    if name == "localhost" or name.endswith((".localhost", ".local", ".internal")):
        return _refusal_text()
    try:
        literal = literal_address(host)
    except RefusedAddressError:
        return _refusal_text()
    if literal is not None:
        return None if address_is_public(literal) else _refusal_text()
    if resolve:
        try:
            resolve_pinned(host, port or _default_port(parts.scheme), allow_private=False)
        except RefusedAddressError:
            return _refusal_text()
    return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `destination.address`; the Host header names `destination.host`."""

    def __init__(self, destination: Destination, *, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.destination = destination

    def connect(self) -> None:
        self.sock = socket.create_connection((self.destination.address, self.destination.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tls_context() -> ssl.SSLContext:
    """The TLS client context: system trust store, hostname checked (tests point it at their own CA)."""
    return ssl.create_default_context()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """TLS to the checked address, with SNI and certificate verification for the URL's host name."""

    default_port = 443

    def connect(self) -> None:
        super().connect()
        self.sock = tls_context().wrap_socket(self.sock, server_hostname=self.destination.host)


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> AttemptResult:
    refusal = destination_refusal(url, resolve=False)
    if refusal:
        return AttemptResult(status=None, error=str(refusal))
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        destination = resolve_pinned(host, parts.port or _default_port(parts.scheme),
                                     allow_private=settings.WEBHOOK_ALLOW_PRIVATE_HOSTS)
    except RefusedAddressError:
        return AttemptResult(status=None, error=str(_refusal_text()))
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(destination, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_READ_LIMIT)
        # A 3xx is an answer like any other non-2xx: the delivery failed, and no redirect is followed.
        return AttemptResult(status=response.status, error="" if 200 <= response.status < 300 else f"HTTP {response.status}")
    except (http.client.HTTPException, OSError, ssl.SSLError) as exc:
        return AttemptResult(status=None, error=f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
