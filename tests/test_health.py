from __future__ import annotations


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"]["ok"] is True


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-request")
    assert response["X-Request-ID"] == "abc12345-request"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]) == 32


def test_audit_events_carry_the_request_id_and_ip(client, partner_a):
    from audit.models import AuditEvent

    client.force_login(partner_a.admin.user)
    client.post(
        f"/p/{partner_a.partner.partner_id}/settings/users/",
        {"email": "req@example.com", "roles": ["sales_agent"], "language": "en"},
        HTTP_X_REQUEST_ID="req-id-0001",
        REMOTE_ADDR="203.0.113.7",
    )
    event = AuditEvent.objects.get(action="partner_user.invited")
    assert event.request_id == "req-id-0001"
    assert event.ip_address == "203.0.113.7"
