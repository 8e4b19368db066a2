"""Invalid-key guessing is limited per client address and per key prefix: 429 with Retry-After."""

from __future__ import annotations

import pytest

from tests.api.conftest import KeyClient

pytestmark = pytest.mark.django_db


def _problem(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_an_address_guessing_keys_gets_429_with_retry_after_then_even_a_valid_key_waits(settings, api_a):
    settings.API_INVALID_KEY_LIMIT_PER_IP = "3/10min"
    guesser = KeyClient("pck_" + "g" * 43)
    for _ in range(3):
        _problem(guesser.get("/api/v1/invitations"), 401, "invalid_api_key")
    refused = guesser.get("/api/v1/invitations")
    _problem(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert "invalid API key" in refused.json()["detail"]
    _problem(api_a.get("/api/v1/invitations"), 429, "rate_limited")  # same address (the test client's)
    assert api_a.get("/api/v1/invitations", REMOTE_ADDR="192.0.2.7").status_code == 200  # another address


def test_guesses_at_one_key_prefix_from_many_addresses_are_limited_per_prefix(settings):
    settings.API_INVALID_KEY_LIMIT_PER_IP = "100/10min"
    settings.API_INVALID_KEY_LIMIT_PER_PREFIX = "4/10min"
    for n in range(4):
        _problem(KeyClient(f"pck_Abcd1234{'x' * 39}{n}").get("/api/v1/invitations", REMOTE_ADDR=f"198.51.100.{n}"),
                 401, "invalid_api_key")
    _problem(KeyClient("pck_Abcd1234" + "y" * 40).get("/api/v1/invitations", REMOTE_ADDR="198.51.100.99"), 429, "rate_limited")
    _problem(KeyClient("pck_Efgh5678" + "y" * 40).get("/api/v1/invitations", REMOTE_ADDR="198.51.100.99"), 401, "invalid_api_key")


def test_ipv6_guessers_count_per_64(settings):
    settings.API_INVALID_KEY_LIMIT_PER_IP = "2/10min"
    for suffix in ("1", "2"):
        KeyClient(f"pck_{suffix * 50}").get("/api/v1/invitations", REMOTE_ADDR=f"2001:db8:1:2::{suffix}")
    _problem(KeyClient("pck_" + "3" * 50).get("/api/v1/invitations", REMOTE_ADDR="2001:db8:1:2:ffff::3"), 429, "rate_limited")
    _problem(KeyClient("pck_" + "4" * 50).get("/api/v1/invitations", REMOTE_ADDR="2001:db8:1:3::4"), 401, "invalid_api_key")
