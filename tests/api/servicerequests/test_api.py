"""/api/v1/service-requests: create (idempotent), list, retrieve, status with If-Match, notes; webhooks per change."""

from __future__ import annotations

import pytest

from notifications.models import WebhookDelivery
from partners.webhook_services import webhook_subscription_create
from servicerequests.models import ServiceRequest

pytestmark = pytest.mark.django_db

URL = "/api/v1/service-requests"


@pytest.fixture
def api(partner_a, client_for):  # type: ignore[no-untyped-def]
    return client_for(partner_a.admin, ["service_requests:write"])


def body(customer, **kwargs):  # type: ignore[no-untyped-def]
    return {"customer_tenant_id": str(customer.tenant_id), "title": "Mail bounces", "description": "550 5.7.1", **kwargs}


def test_create_list_retrieve(api, related):  # type: ignore[no-untyped-def]
    created = api.post(URL, body(related.customer, severity="critical"))
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "open" and data["severity"] == "critical" and data["filed_by"].startswith("API key")
    assert created["Location"].endswith(f"{URL}/{data['id']}") and created["ETag"]
    assert [r["id"] for r in api.get(URL).json()["results"]] == [data["id"]]
    assert api.get(URL, {"status": "closed"}).json()["results"] == []
    assert api.get(f"{URL}/{data['id']}").json()["notes"] == []


def test_repeated_idempotency_key_files_once(api, related):  # type: ignore[no-untyped-def]
    first = api.post(URL, body(related.customer), HTTP_IDEMPOTENCY_KEY="sr-1")
    second = api.post(URL, body(related.customer), HTTP_IDEMPOTENCY_KEY="sr-1")
    assert first.status_code == second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert ServiceRequest.objects.count() == 1


def test_create_for_someone_elses_customer_is_422(api, customer_b):  # type: ignore[no-untyped-def]
    response = api.post(URL, body(customer_b.customer))
    assert response.status_code == 422 and response.json()["code"] == "not_your_customer"


def test_status_needs_if_match_and_refuses_a_stale_one(api, related):  # type: ignore[no-untyped-def]
    created = api.post(URL, body(related.customer))
    path, etag = f"{URL}/{created.json()['id']}", created["ETag"]
    assert api.patch(path, {"status": "in_progress"}).status_code == 428
    ok = api.patch(path, {"status": "in_progress"}, HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    stale = api.patch(path, {"status": "closed"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    bad = api.patch(path, {"status": "open"}, HTTP_IF_MATCH=ok["ETag"])
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_transition"


def test_notes_and_read_scope(api, related, partner_a, client_for):  # type: ignore[no-untyped-def]
    created = api.post(URL, body(related.customer)).json()
    note = api.post(f"{URL}/{created['id']}/notes", {"body": "Which mailboxes?"})
    assert note.status_code == 201 and note.json()["notes"][0]["body"] == "Which mailboxes?"
    reader = client_for(partner_a.admin, ["service_requests:read"])
    assert reader.get(f"{URL}/{created['id']}").status_code == 200
    assert reader.post(f"{URL}/{created['id']}/notes", {"body": "x"}).json()["code"] == "insufficient_scope"


def test_one_webhook_per_change_none_on_no_op(api, related, partner_a, settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/hook", event_types=[
        "service_request.created", "service_request.updated", "service_request.closed", "service_request.note_added"])
    created = api.post(URL, body(related.customer))
    path = f"{URL}/{created.json()['id']}"
    moved = api.patch(path, {"status": "in_progress"}, HTTP_IF_MATCH=created["ETag"])
    same = api.patch(path, {"status": "in_progress"}, HTTP_IF_MATCH=moved["ETag"])
    assert same.status_code == 200
    api.post(f"{path}/notes", {"body": "on it"})
    api.patch(path, {"status": "closed"}, HTTP_IF_MATCH="*")
    types = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert types == ["service_request.created", "service_request.updated", "service_request.note_added", "service_request.closed"]
    assert '"type":"service_request"' in WebhookDelivery.objects.first().body
