"""Invalid API keys are limited per client address and per key prefix (429 with Retry-After).

Before a key is looked up, one read checks both counters: a client (or a prefix) that sent too
many invalid keys in the window is refused at once, even if this key is valid, so guessing stops
paying off at the limit. Each invalid key then counts one use of both (atomic upserts,
ratelimits.services). IPv6 clients count per /64, which one host usually holds whole.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from partnercenter.middleware import client_ip
from ratelimits.rates import Rate, parse_rate
from ratelimits.services import LimitDecision, limit_consume, limit_peek

if TYPE_CHECKING:
    from django.http import HttpRequest

PREFIX_LENGTH = 12  # partners.api_key_services.DISPLAY_PREFIX_LENGTH: "pck_" + 8 characters


class InvalidKeyThrottled(Throttled):
    default_detail = _("Too many requests with an invalid API key from this address or for this key prefix.")


def _client_bucket(request: HttpRequest) -> str:
    raw = client_ip(request) or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return f"api-invalid-key:ip:{raw[:64]}"
    if address.version == 6:
        return f"api-invalid-key:ip:{ipaddress.ip_network(f'{address}/64', strict=False).network_address}"
    return f"api-invalid-key:ip:{address}"


def _checks(request: HttpRequest, token: str) -> list[tuple[str, Rate]]:
    checks: list[tuple[str, Rate]] = []
    per_ip = parse_rate(settings.API_INVALID_KEY_LIMIT_PER_IP)
    per_prefix = parse_rate(settings.API_INVALID_KEY_LIMIT_PER_PREFIX)
    if per_ip is not None:
        checks.append((_client_bucket(request), per_ip))
    if per_prefix is not None and token.startswith("pck_") and len(token) > PREFIX_LENGTH:
        checks.append((f"api-invalid-key:prefix:{token[:PREFIX_LENGTH]}", per_prefix))
    return checks


def _refuse(decision: LimitDecision) -> InvalidKeyThrottled:
    return InvalidKeyThrottled(wait=decision.retry_after)


def key_guessing_check(request: HttpRequest, token: str) -> None:
    """Refuse (429) before the lookup when this client or this prefix is over its limit."""
    refused = limit_peek(checks=_checks(request, token))
    if refused is not None:
        raise _refuse(refused)


def key_guessing_count(request: HttpRequest, token: str) -> None:
    """Count an invalid key; refuse (429) instead of 401 once a limit is passed."""
    worst: LimitDecision | None = None
    for bucket, rate in _checks(request, token):
        decision = limit_consume(bucket=bucket, rate=rate, durable=False)
        if not decision.allowed and (worst is None or decision.retry_after > worst.retry_after):
            worst = decision
    if worst is not None:
        raise _refuse(worst)
