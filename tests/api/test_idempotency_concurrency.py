"""Two creates with the same Idempotency-Key at the same time, on real PostgreSQL: exactly one object.

The race is forced, not hoped for: the first request pauses inside its create (its idempotency
row inserted, its transaction open) until the second request is seen *waiting on a lock* in
pg_stat_activity — i.e. blocked on the key's unique index — then both finish. Without a pause the
requests would usually not overlap at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from invitations.models import Invitation
from partners.models import ApiIdempotencyKey
from servicerequests.models import ServiceRequest
from tests.api.conftest import KeyClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEADLINE_SECONDS = 120  # waiting on real threads and PostgreSQL locks: a ceiling, not a speed requirement


def waiting_lock_requests() -> int:
    with connection.cursor() as cursor:
        # This test database only (the server is shared); autocommit, so the view is read fresh each time.
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def poll(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def race(monkeypatch: Any, target: str, token: str, path: str, body: dict[str, Any]) -> list[Any]:
    """POST `body` twice with one key; the first pauses inside `target` until the second waits on a lock."""
    module_name, attribute = target.rsplit(".", 1)
    import importlib

    module = importlib.import_module(module_name)
    real = getattr(module, attribute)
    inside, release = threading.Event(), threading.Event()
    first_thread: list[threading.Thread] = []

    def paused(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if threading.current_thread() is first_thread[0]:
            inside.set()
            assert release.wait(DEADLINE_SECONDS), "never released"
        return result

    monkeypatch.setattr(module, attribute, paused)
    responses: list[Any] = [None, None]

    def post(index: int) -> None:
        try:
            responses[index] = KeyClient(token).post(path, body, HTTP_IDEMPOTENCY_KEY="same-key-twice")
        finally:
            connections.close_all()

    first = threading.Thread(target=post, args=(0,))
    second = threading.Thread(target=post, args=(1,))
    first_thread.append(first)
    first.start()
    poll(inside.is_set, "the first create to be under way")
    second.start()
    try:
        poll(lambda: waiting_lock_requests() >= 1, "the second request to wait on the key's unique index")
    finally:
        release.set()
    first.join(DEADLINE_SECONDS)
    second.join(DEADLINE_SECONDS)
    assert not first.is_alive() and not second.is_alive()
    return responses


@pytest.fixture
def token(partner_a, issue_key):  # type: ignore[no-untyped-def]
    _key, token = issue_key(partner_a.admin)
    return token


def test_concurrent_invitation_creates_with_one_key_make_one_invitation(monkeypatch, token):  # type: ignore[no-untyped-def]
    first, second = race(monkeypatch, "api.invitations_views.create_invitation", token, "/api/v1/invitations",
                         {"include_delegated_admin": True, "recipient_email": "it@northwind.example"})
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Invitation.objects.count() == 1 and ApiIdempotencyKey.objects.count() == 1


def test_concurrent_service_request_creates_with_one_key_make_one_request(monkeypatch, token, partner_a, customer_a):  # type: ignore[no-untyped-def]
    from relationships.models import Relationship

    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    first, second = race(monkeypatch, "api.servicerequests_views.service_request_create", token, "/api/v1/service-requests",
                         {"customer_tenant_id": str(customer_a.customer.tenant_id), "title": "Mail bounces", "description": "550"})
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    assert first.json()["id"] == second.json()["id"] and second["Idempotent-Replayed"] == "true"
    assert ServiceRequest.objects.count() == 1
