"""The Graph-compatible API limits invalid-key guessing like /api/v1 (one counter): 429 TooManyRequests."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BASE = "/v1.0/tenantRelationships/delegatedAdminRelationships"


def test_guessing_keys_at_the_graph_api_gets_too_many_requests_with_retry_after(settings):
    settings.API_INVALID_KEY_LIMIT_PER_IP = "2/10min"
    guesser = Client(headers={"Authorization": "Bearer pck_" + "z" * 43})
    assert [guesser.get(BASE).status_code for _ in range(2)] == [401, 401]
    refused = guesser.get(BASE)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "TooManyRequests"
    assert 1 <= int(refused["Retry-After"]) <= 600
    # The same address's guesses at /api/v1 were counted together with these.
    assert Client(headers={"Authorization": "Bearer pck_" + "w" * 43}).get("/api/v1/invitations").status_code == 429
