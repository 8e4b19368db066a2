"""Every error leaves as RFC 9457 problem details with a stable code, whatever raised it."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from tests.api.conftest import KeyClient

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance", "request_id"}


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:partnercenter:problem:{code}"
    assert body["title"] and body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_missing_key_is_401_with_a_bearer_challenge(db):  # type: ignore[no-untyped-def]
    response = KeyClient().get("/api/v1/invitations")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer pck_not-a-key", "Bearer", "Bearer a b"])
def test_unknown_or_malformed_key_is_401(db, header):  # type: ignore[no-untyped-def]
    client = KeyClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_problem(client.get("/api/v1/invitations"), 401, "invalid_api_key")


def test_revoked_and_expired_keys_are_401_like_unknown_ones(partner_a, issue_key):  # type: ignore[no-untyped-def]
    from partners.api_key_services import api_key_revoke
    from partners.models import ApiKey

    revoked, revoked_token = issue_key(partner_a.admin)
    api_key_revoke(api_key=revoked, membership=partner_a.admin)
    expired, expired_token = issue_key(partner_a.admin, expires_in_days=1)
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    for token in (revoked_token, expired_token):
        body = assert_problem(KeyClient(token).get("/api/v1/invitations"), 401, "invalid_api_key")
        assert body["detail"] == "This API key is not valid."


def test_missing_scope_is_403_insufficient_scope(partner_a, client_for):  # type: ignore[no-untyped-def]
    response = client_for(partner_a.admin, ["customers:read"]).get("/api/v1/invitations")
    body = assert_problem(response, 403, "insufficient_scope")
    assert "invitations:read" in body["detail"]
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_another_partners_object_is_404_like_a_missing_one(api_b, world):  # type: ignore[no-untyped-def]
    theirs = api_b.get(f"/api/v1/invitations/{world['invitation'].pk}")
    missing = api_b.get("/api/v1/invitations/999999999")
    assert assert_problem(theirs, 404, "not_found")["detail"] == assert_problem(missing, 404, "not_found")["detail"]


def test_unknown_path_and_non_numeric_id_are_404_problems(api_a):  # type: ignore[no-untyped-def]
    assert_problem(api_a.get("/api/v1/nothing-here"), 404, "not_found")
    assert_problem(api_a.get("/api/v1/invitations/abc"), 404, "not_found")
    assert_problem(api_a.get("/api/v1/invitations/99999999999999999999999"), 404, "not_found")


def test_validation_errors_name_each_field(api_a):  # type: ignore[no-untyped-def]
    response = api_a.post("/api/v1/invitations", {"recipient_email": "not-an-email", "duration_days": 0, "language": "xx"})
    body = assert_problem(response, 400, "validation_error")
    fields = {error["field"]: error["code"] for error in body["errors"]}
    assert fields == {"recipient_email": "invalid", "duration_days": "min_value", "language": "invalid_choice"}


def test_malformed_json_is_400(api_a):  # type: ignore[no-untyped-def]
    response = api_a.generic("POST", "/api/v1/invitations", "{not json", content_type="application/json")
    assert_problem(response, 400, "malformed_request")


def test_form_encoded_body_is_415(api_a):  # type: ignore[no-untyped-def]
    response = api_a.generic("POST", "/api/v1/invitations", "a=b", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415, "unsupported_media_type")


def test_wrong_method_is_405(api_a, world):  # type: ignore[no-untyped-def]
    response = api_a.delete(f"/api/v1/invitations/{world['invitation'].pk}")
    assert_problem(response, 405, "method_not_allowed")


def test_a_business_rule_refusal_is_409_with_the_domain_code(api_a, world):  # type: ignore[no-untyped-def]
    url = f"/api/v1/invitations/{world['invitation'].pk}/cancel"
    api_a.post(url)
    body = assert_problem(api_a.post(url), 409, "not_pending")
    assert body["detail"] == "This invitation is no longer pending."
    assert "errors" not in body


def test_a_refused_field_value_is_422_naming_the_field(partner_b, client_for):  # type: ignore[no-untyped-def]
    response = client_for(partner_b.admin).post("/api/v1/invitations", {"include_delegated_admin": False})
    body = assert_problem(response, 422, "sovereign_requires_admin")
    assert body["errors"] == [{"field": "include_delegated_admin", "code": "sovereign_requires_admin", "detail": body["detail"]}]


def test_stale_if_match_is_412_and_missing_required_if_match_is_428(api_a, world):  # type: ignore[no-untyped-def]
    url = f"/api/v1/grants/{world['grant'].pk}/access-assignments"
    assert_problem(api_a.put(url, {"assignments": {}}, HTTP_IF_MATCH='"stale"'), 412, "precondition_failed")
    assert_problem(api_a.put(url, {"assignments": {}}), 428, "precondition_required")
    assert_problem(api_a.put(url, {"assignments": {}}, HTTP_IF_MATCH='W/"weak"'), 412, "precondition_failed")


def test_bad_idempotency_keys_are_problems(api_a):  # type: ignore[no-untyped-def]
    assert_problem(api_a.post("/api/v1/invitations", {}, HTTP_IDEMPOTENCY_KEY="x" * 256), 400, "invalid_idempotency_key")
    api_a.post("/api/v1/invitations", {}, HTTP_IDEMPOTENCY_KEY="k")
    assert_problem(api_a.post("/api/v1/invitations", {"language": "ja"}, HTTP_IDEMPOTENCY_KEY="k"), 422, "idempotency_key_reused")


def test_rate_limit_is_429_with_retry_after(settings, api_a, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(time.time(), tick=False)  # limits count in fixed clock windows: none turns mid-test
    settings.API_RATE_LIMIT = "3/min"
    for _ in range(3):
        assert api_a.get("/api/v1/invitations").status_code == 200
    response = api_a.get("/api/v1/invitations")
    assert_problem(response, 429, "rate_limited")
    assert 0 < int(response["Retry-After"]) <= 60


def test_rate_limits_count_per_key(settings, partner_a, client_for, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(time.time(), tick=False)  # limits count in fixed clock windows: none turns mid-test
    settings.API_RATE_LIMIT = "2/min"
    first, second = client_for(partner_a.admin), client_for(partner_a.admin)
    assert [first.get("/api/v1/invitations").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/invitations").status_code == 200


def test_an_unexpected_error_is_a_500_problem(api_a, monkeypatch):  # type: ignore[no-untyped-def]
    from api import invitations_views as views

    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "invitation_list_for_partner", boom)
    body = assert_problem(api_a.get("/api/v1/invitations"), 500, "internal_error")
    assert "boom" not in body["detail"]


def test_head_needs_the_same_scope_as_get(partner_a, client_for):  # type: ignore[no-untyped-def]
    from invitations.relationship_links import relationship_link_rotate

    relationship_link_rotate(membership=partner_a.admin)
    assert client_for(partner_a.admin, ["customers:read"]).head("/api/v1/relationship-requests/link").status_code == 403
    assert client_for(partner_a.admin, ["customers:read"]).head("/api/v1/invitations").status_code == 403
    assert client_for(partner_a.admin, ["invitations:read"]).head("/api/v1/relationship-requests/link").status_code == 200


def test_options_is_not_offered(api_a):  # type: ignore[no-untyped-def]
    assert_problem(api_a.options("/api/v1/invitations"), 405, "method_not_allowed")
