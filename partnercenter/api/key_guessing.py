"""API requests are counted here: the key's rate limit, and invalid keys per client address and per key prefix.

One statement per request with a valid key (ratelimits.services.limit_consume): it counts the
key's request and reads the invalid-key counters of the client's address and of the key's prefix.
A client (or a prefix) that sent too many invalid keys in the window is answered 429, even with
a valid key, so guessing stops paying off at the limit and a correct guess is not told apart.
Each invalid key counts one use of both invalid-key counters; exactly the limit of them are
answered 401, the rest 429 (with Retry-After). IPv6 clients count per /64, which one host
usually holds whole.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from partnercenter.middleware import client_ip
from ratelimits.rates import Rate, parse_rate
from ratelimits.services import LimitDecision, limit_consume, limit_peek, limits_consume

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


def key_request_count(request: HttpRequest, token: str, *, api_key_pk: int) -> LimitDecision | None:
    """Count a request with a valid key: its key's decision (None without API_RATE_LIMIT).

    Raises InvalidKeyThrottled (429) when the client's address or the key's prefix is over its
    invalid-key limit. Whether the key's own limit refuses is for ApiKeyRateThrottle to answer.
    """
    guessing = _checks(request, token)
    rate = parse_rate(settings.API_RATE_LIMIT)
    if rate is None:
        refused = limit_peek(checks=guessing)
        if refused is not None:
            raise _refuse(refused)
        return None
    decision = limit_consume(bucket=f"api-key:{api_key_pk}", rate=rate, durable=False, blocked_by=guessing)
    if decision.refused_by.startswith("api-invalid-key:"):
        raise _refuse(decision)
    return decision


def key_guessing_count(request: HttpRequest, token: str) -> None:
    """Count an invalid key; refuse (429) instead of 401 once a limit is passed."""
    checks = _checks(request, token)
    refused = [decision for decision in (limits_consume(uses=checks, durable=False) if checks else []) if not decision.allowed]
    if refused:
        raise _refuse(max(refused, key=lambda decision: decision.retry_after))
