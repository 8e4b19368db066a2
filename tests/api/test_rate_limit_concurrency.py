"""Rate limits that hold under concurrency (issue 18): sixteen parallel HTTP clients against the live server."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest

from partners.api_key_services import api_key_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 16


def _get(url: str, token: str) -> tuple[int, str | None]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 — our live server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — the test's own live server
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def _parallel(url: str, token: str, per_client: int) -> list[tuple[int, str | None]]:
    barrier = threading.Barrier(CLIENTS)
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def client() -> None:
        barrier.wait(timeout=30)
        for _ in range(per_client):
            answer = _get(url, token)
            with lock:
                results.append(answer)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == CLIENTS * per_client
    return results


def test_sixteen_parallel_clients_get_exactly_the_keys_limit(live_server, partner_a, settings):
    settings.API_RATE_LIMIT = "40/hour"  # an hour: the window does not turn during the test
    token = api_key_create(membership=partner_a.admin, name="Parallel", scopes=["invitations:read"], expires_in_days=None).token
    results = _parallel(f"{live_server.url}/api/v1/invitations", token, per_client=5)
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 40, 429: CLIENTS * 5 - 40}
    assert all(retry_after and int(retry_after) >= 1 for status, retry_after in results if status == 429)


def test_sixteen_parallel_guessers_get_exactly_the_limits_401s_then_429(live_server, partner_a, settings):
    settings.API_INVALID_KEY_LIMIT_PER_IP = "20/hour"
    results = _parallel(f"{live_server.url}/api/v1/invitations", "pck_guessed" + "x" * 40, per_client=3)
    statuses = Counter(status for status, _ in results)
    assert statuses == {401: 20, 429: CLIENTS * 3 - 20}
    assert all(retry_after and int(retry_after) >= 1 for status, retry_after in results if status == 429)
    # The guesser's address is now refused even with a valid key, until the window ends.
    token = api_key_create(membership=partner_a.admin, name="Valid", scopes=["invitations:read"], expires_in_days=None).token
    assert _get(f"{live_server.url}/api/v1/invitations", token)[0] == 429
