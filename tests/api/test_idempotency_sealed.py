"""Idempotency-Key responses are kept sealed (issue 18, item 3): the row holds no link, a replay
returns the first response whole, and a replay the server can no longer unseal is a clear 409."""

from __future__ import annotations

from partners.models import ApiIdempotencyKey

BODY = {"recipient_email": "buyer@northwind.example", "include_delegated_admin": True}


def test_the_stored_response_holds_no_link_and_the_replay_returns_it_whole(api_a):
    first = api_a.post("/api/v1/invitations", BODY, HTTP_IDEMPOTENCY_KEY="sealed-1")
    assert first.status_code == 201
    link = first.json()["link"]
    record = ApiIdempotencyKey.objects.get(key="sealed-1")
    assert link.rsplit("/", 1)[1] not in record.response_sealed and "/r/" not in record.response_sealed
    replay = api_a.post("/api/v1/invitations", BODY, HTTP_IDEMPOTENCY_KEY="sealed-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert "no-store" in replay["Cache-Control"] and "no-store" in first["Cache-Control"]


def test_a_replay_after_the_sealing_key_changed_is_a_409_not_a_500(api_a, settings):
    assert api_a.post("/api/v1/invitations", BODY, HTTP_IDEMPOTENCY_KEY="sealed-2").status_code == 201
    settings.OUTBOX_SEALING_KEY = "another-sealing-key"
    replay = api_a.post("/api/v1/invitations", BODY, HTTP_IDEMPOTENCY_KEY="sealed-2")
    assert replay.status_code == 409
    assert replay.json()["type"] == "urn:partnercenter:problem:idempotent_response_unavailable"
