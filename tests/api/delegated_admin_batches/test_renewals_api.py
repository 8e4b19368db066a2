"""Renewals through /api/v1 (issue 24 item 2): grants ending soon, their renewal status, and a renewal batch from grant ids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from invitation_batches.models import DelegatedAdminBatch
from notifications.models import WebhookDelivery
from partnercenter.directory_roles import BUNDLES
from partners.webhook_services import webhook_subscription_create
from relationships.models import Relationship
from tests.api.conftest import KeyClient
from tests.factories import CustomerFactory, CustomerMembershipFactory, DelegatedAdminGrantFactory

pytestmark = pytest.mark.django_db

BATCHES = "/api/v1/delegated-admin-batches"
RENEWALS = f"{BATCHES}/renewals"
GRANTS = "/api/v1/grants"
ROLES = list(BUNDLES["helpdesk"][1])


def ending_in(partner, days, name):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(company_name=name, primary_domain=f"{name.lower()}.example")
    Relationship.objects.create(partner=partner, customer=customer)
    CustomerMembershipFactory(customer=customer)
    now = timezone.now()
    return DelegatedAdminGrantFactory(partner=partner, customer=customer, roles=ROLES, duration_days=180,
                                      starts_at=now - timedelta(days=180 - days), ends_at=now + timedelta(days=days, hours=1))


def client(membership, issue_key, scopes):  # type: ignore[no-untyped-def]
    _key, token = issue_key(membership, list(scopes))
    return KeyClient(token)


def test_grants_ending_within_days_with_their_renewal_status(partner_a, partner_b, issue_key, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    soon, later = ending_in(partner_a.partner, 20, "Soon"), ending_in(partner_a.partner, 200, "Later")
    ending_in(partner_b.partner, 20, "Theirs")
    api = client(partner_a.admin, issue_key, ["grants:read", "grants:write"])
    listed = api.get(f"{GRANTS}?ending_within_days=30").json()["results"]
    assert [(g["id"], g["renewal_status"], g["renewal_requested_at"]) for g in listed] == [(soon.pk, "not_renewed", None)]
    assert {g["id"] for g in api.get(GRANTS).json()["results"]} == {soon.pk, later.pk}
    assert api.get(f"{GRANTS}/{later.pk}").json()["renewal_status"] is None  # not nearing its end
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(RENEWALS, {"grant_ids": [soon.pk]}).status_code == 202
    renewed = api.get(f"{GRANTS}/{soon.pk}").json()
    assert renewed["renewal_status"] == "requested" and renewed["renewal_requested_at"]


@pytest.mark.parametrize("query", ["ending_within_days=0", "ending_within_days=abc", "ending_within_days=99999999999999999999"])
def test_a_bad_window_is_a_clear_error(partner_a, issue_key, query):  # type: ignore[no-untyped-def]
    response = client(partner_a.admin, issue_key, ["grants:read"]).get(f"{GRANTS}?{query}")
    assert response.status_code in {400, 422} and "ending_within_days" in response.content.decode()


def test_renewal_batch_from_grant_ids_and_another_partners_ids_read_as_unknown(partner_a, partner_b, issue_key, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    mine, theirs = ending_in(partner_a.partner, 20, "Mine"), ending_in(partner_b.partner, 20, "Theirs")
    api = client(partner_a.admin, issue_key, ["grants:write"])
    with django_capture_on_commit_callbacks(execute=True):
        body = {"grant_ids": [mine.pk, theirs.pk, 999999], "duration_days": 90}
        response = api.post(RENEWALS, body, HTTP_IDEMPOTENCY_KEY="renew-1")
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["source"] == "renewal" and created["total_rows"] == 3 and response["Location"].endswith(f"{BATCHES}/{created['id']}")
    again = api.post(RENEWALS, body, HTTP_IDEMPOTENCY_KEY="renew-1")
    assert again.json()["id"] == created["id"] and DelegatedAdminBatch.objects.count() == 1
    rows = api.get(f"{BATCHES}/{created['id']}/rows").json()["results"]
    assert [(r["status"], r["reason_code"], r["renews_grant_id"]) for r in rows] == [
        ("created", "", mine.pk), ("not_allowed", "not_found", None), ("not_allowed", "not_found", None)]
    # The other partner's grant answers exactly as an id that does not exist: no name, no customer.
    assert rows[1]["given"] == f"#{theirs.pk}" and rows[1]["customer_name"] is None
    event = AuditEvent.objects.get(action="grant.renewal_requested")
    assert event.target_id == str(mine.pk) and event.data["after"]["duration_days"] == 90
    # Renewing it again: covered, already requested.
    with django_capture_on_commit_callbacks(execute=True):
        second = api.post(RENEWALS, {"grant_ids": [mine.pk]}).json()
    assert api.get(f"{BATCHES}/{second['id']}").json()["covered_rows"] == 1
    # Partner B sees neither the batch nor A's grant.
    other = client(partner_b.admin, issue_key, ["grants:write", "grants:read"])
    assert other.get(f"{BATCHES}/{created['id']}").status_code == 404
    assert other.get(f"{GRANTS}/{mine.pk}").status_code == 404


def test_a_renewal_raises_the_grant_renewal_requested_webhook(partner_a, issue_key, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]

    webhook_subscription_create(membership=partner_a.admin, url="https://hooks.example/renewals", event_types=["grant.renewal_requested"])
    grant = ending_in(partner_a.partner, 20, "Hooked")
    with django_capture_on_commit_callbacks(execute=True):
        client(partner_a.admin, issue_key, ["grants:write"]).post(RENEWALS, {"grant_ids": [grant.pk]})
    assert WebhookDelivery.objects.filter(event_type="grant.renewal_requested").count() == 1


def test_scopes(partner_a, issue_key):  # type: ignore[no-untyped-def]
    grant = ending_in(partner_a.partner, 20, "Scoped")
    response = client(partner_a.admin, issue_key, ["grants:read"]).post(RENEWALS, {"grant_ids": [grant.pk]})
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize("body, field", [
    ({}, "grant_ids"),
    ({"grant_ids": []}, "grant_ids"),
    ({"grant_ids": ["x"]}, "grant_ids"),
    ({"grant_ids": [0]}, "grant_ids"),
    ({"grant_ids": [2**70]}, "grant_ids"),
    ({"grant_ids": 5}, "grant_ids"),
    ({"grant_ids": [1], "duration_days": 0}, "duration_days"),
    ({"grant_ids": [1], "auto_extend": "maybe"}, "auto_extend"),
])
def test_bad_input_is_a_problem(partner_a, issue_key, body, field):  # type: ignore[no-untyped-def]
    response = client(partner_a.admin, issue_key, ["grants:write"]).post(RENEWALS, body)
    assert response.status_code in {400, 422}, response.content
    assert response["Content-Type"] == "application/problem+json" and field in response.content.decode()
    assert not DelegatedAdminBatch.objects.exists()
