"""POST /api/v1/invitation-batches (CSV body or JSON rows) and its status and rows resources."""

from __future__ import annotations

import pytest
from django.test import Client

from invitation_batches.models import InvitationBatch
from invitations.models import Invitation
from tests.api.conftest import KeyClient
from tests.invitation_batches.conftest import csv_text, good_row

pytestmark = pytest.mark.django_db

BASE = "/api/v1/invitation-batches"


@pytest.fixture
def api(partner_a, issue_key) -> KeyClient:  # type: ignore[no-untyped-def]
    _key, token = issue_key(partner_a.admin, ["invitations:write"])
    return KeyClient(token)


def post_csv(partner_a, issue_key, text: str, query: str = "", scopes=("invitations:write",)):  # type: ignore[no-untyped-def]
    _key, token = issue_key(partner_a.admin, list(scopes))
    return Client().post(f"{BASE}{query}", data=text.encode(), content_type="text/csv", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_csv_body_is_checked_queued_and_its_status_followed(partner_a, issue_key, api, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_csv(partner_a, issue_key, csv_text([good_row(1), good_row(2)]))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["rows_to_send"] == 2
    assert response["Location"].endswith(f"{BASE}/{body['id']}")
    status = api.get(f"{BASE}/{body['id']}").json()
    assert (status["status"], status["percent"], status["created_rows"], status["failed_rows"]) == ("completed", 100, 2, 0)
    rows = api.get(f"{BASE}/{body['id']}/rows").json()["results"]
    assert [(r["line"], r["status"]) for r in rows] == [(2, "created"), (3, "created")]
    assert {r["invitation_id"] for r in rows} == set(Invitation.objects.values_list("pk", flat=True))


def test_json_rows_with_errors_get_a_problem_listing_every_row_and_nothing_is_sent(partner_a, api):  # type: ignore[no-untyped-def]
    response = api.post(BASE, {"rows": [good_row(1), good_row(2, recipient_email="nope"), good_row(3, country="US"),
                                        good_row(4, domain="customer1.example")]})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_rows" and problem["batch_id"]
    assert [(e["line"], e["field"], e["code"]) for e in problem["errors"]] == [
        (2, "recipient_email", "invalid_email"), (3, "country", "market_mismatch"), (4, "domain", "duplicate_domain_in_file")]
    assert not Invitation.objects.exists()
    assert InvitationBatch.objects.get().status == "preview"


def test_dry_run_then_confirm(partner_a, api, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    response = api.post(f"{BASE}?dry_run=true", {"rows": [{**good_row(1, role_bundle=""), "include_delegated_admin": False}]})
    assert response.status_code == 201 and response.json()["status"] == "preview"
    batch_id = response.json()["id"]
    assert not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api.post(f"{BASE}/{batch_id}/confirm")
    assert confirmed.status_code == 202
    again = api.post(f"{BASE}/{batch_id}/confirm")
    assert again.status_code == 409 and again.json()["code"] == "not_preview"
    invitation = Invitation.objects.get()
    assert invitation.include_delegated_admin is False and invitation.sent_to == "it1@customer1.example"


def test_a_csv_with_a_wrong_header_is_a_clear_problem(partner_a, issue_key):  # type: ignore[no-untyped-def]
    response = post_csv(partner_a, issue_key, "name,mail\nA,b@c.example\n")
    assert response.status_code == 409 and response.json()["code"] == "bad_header"
    assert "company" in response.json()["detail"]
    assert not InvitationBatch.objects.exists()


def test_reading_needs_only_the_read_scope_and_writing_the_write_scope(partner_a, issue_key, api):  # type: ignore[no-untyped-def]
    response = post_csv(partner_a, issue_key, csv_text([good_row(1)]), query="?dry_run=true", scopes=("invitations:read",))
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    batch_id = api.post(f"{BASE}?dry_run=true", {"rows": [good_row(1)]}).json()["id"]
    _key, token = issue_key(partner_a.admin, ["invitations:read"])
    reader = KeyClient(token)
    assert reader.get(f"{BASE}/{batch_id}").status_code == 200
    assert reader.get(f"{BASE}/{batch_id}/rows").status_code == 200


def test_the_openapi_schema_documents_both_bodies_with_examples(client):  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/v1/invitation-batches"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert create["requestBody"]["content"]["text/csv"]["examples"]
    assert create["requestBody"]["content"]["application/json"]["examples"]
    assert create["x-required-scope"] == "invitations:write"
    assert "422" in create["responses"] and "202" in create["responses"]
    assert schema["paths"]["/api/v1/invitation-batches/{id}"]["get"]["x-required-scope"] == "invitations:read"
    assert "/api/v1/invitation-batches/{id}/rows" in schema["paths"]
