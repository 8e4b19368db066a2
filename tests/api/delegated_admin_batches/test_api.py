"""POST /api/v1/delegated-admin-batches and its status and rows (issue 24): scopes, tenancy, bad input."""

from __future__ import annotations

import pytest

from invitation_batches.models import DelegatedAdminBatch
from partnercenter.directory_roles import BUNDLES
from relationships.models import Relationship
from tests.api.conftest import KeyClient
from tests.factories import CustomerFactory, CustomerMembershipFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delegated-admin-batches"


@pytest.fixture
def customers(partner_a):  # type: ignore[no-untyped-def]
    made = []
    for n in range(3):
        customer = CustomerFactory(company_name=f"Bulk {n}", primary_domain=f"bulk{n}.example")
        Relationship.objects.create(partner=partner_a.partner, customer=customer)
        CustomerMembershipFactory(customer=customer)
        made.append(customer)
    return made


def client(membership, issue_key, scopes):  # type: ignore[no-untyped-def]
    _key, token = issue_key(membership, list(scopes))
    return KeyClient(token)


def test_create_follow_and_read_rows(partner_a, partner_b, customers, issue_key, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    api = client(partner_a.admin, issue_key, ["grants:write"])
    body = {"customers": [str(customers[0].tenant_id), "BULK1.example", "bulk2.example", "other.example"],
            "role_bundle": "helpdesk", "duration_days": 120, "auto_extend": True}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(BASE, body, HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert response.status_code == 202, response.content
    created = response.json()
    assert response["Location"].endswith(f"{BASE}/{created['id']}") and created["total_rows"] == 4
    assert set(created["roles"]) == set(BUNDLES["helpdesk"][1])
    # The same Idempotency-Key answers the first batch again, without a second one.
    again = api.post(BASE, body, HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert again.json()["id"] == created["id"] and DelegatedAdminBatch.objects.count() == 1
    status = api.get(f"{BASE}/{created['id']}").json()
    assert (status["status"], status["percent"], status["created_rows"], status["covered_rows"], status["not_allowed_rows"]) == (
        "completed", 100, 3, 0, 1)
    rows = api.get(f"{BASE}/{created['id']}/rows").json()["results"]
    assert [r["status"] for r in rows] == ["created", "created", "created", "not_allowed"]
    assert rows[0]["invitation_id"] and rows[0]["customer_tenant_id"] == str(customers[0].tenant_id)
    assert rows[3]["reason_code"] == "not_found" and rows[3]["customer_tenant_id"] is None
    only = api.get(f"{BASE}/{created['id']}/rows?status=not_allowed").json()["results"]
    assert [r["given"] for r in only] == ["other.example"]
    # A second batch for the same customers: all covered by the pending requests.
    with django_capture_on_commit_callbacks(execute=True):
        second = api.post(BASE, {**body, "customers": body["customers"][:3]}).json()
    assert api.get(f"{BASE}/{second['id']}").json()["covered_rows"] == 3
    # Another partner: not found, and A's customers are not found for B.
    other = client(partner_b.admin, issue_key, ["grants:write"])
    assert other.get(f"{BASE}/{created['id']}").status_code == 404
    assert other.get(f"{BASE}/{created['id']}/rows").status_code == 404
    assert other.get(BASE).json()["results"] == []


def test_scopes(partner_a, customers, issue_key):  # type: ignore[no-untyped-def]
    reader = client(partner_a.admin, issue_key, ["grants:read"])
    assert reader.get(BASE).status_code == 200
    response = reader.post(BASE, {"customers": ["bulk0.example"], "role_bundle": "helpdesk"})
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    assert client(partner_a.admin, issue_key, ["invitations:write"]).get(BASE).status_code == 403


@pytest.mark.parametrize("body, field", [
    ({}, "customers"),
    ({"customers": [], "role_bundle": "helpdesk"}, "customers"),
    ({"customers": ["bulk0.example"]}, "roles"),
    ({"customers": ["bulk0.example"], "role_bundle": "nope"}, "role_bundle"),
    ({"customers": ["bulk0.example"], "roles": ["not-a-role"]}, "roles"),
    ({"customers": ["bulk0.example"], "role_bundle": "helpdesk", "duration_days": 0}, "duration_days"),
    ({"customers": "bulk0.example", "role_bundle": "helpdesk"}, "customers"),
    ({"customers": [{"x": 1}], "role_bundle": "helpdesk"}, "customers"),
])
def test_bad_input_is_a_422_problem(partner_a, customers, issue_key, body, field):  # type: ignore[no-untyped-def]
    response = client(partner_a.admin, issue_key, ["grants:write"]).post(BASE, body)
    assert response.status_code in {400, 422}, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.content.decode()
    assert not DelegatedAdminBatch.objects.exists()


def test_global_admin_with_auto_extend_is_refused_by_the_service(partner_a, customers, issue_key):  # type: ignore[no-untyped-def]
    response = client(partner_a.admin, issue_key, ["grants:write"]).post(
        BASE, {"customers": ["bulk0.example"],
               "roles": ["62e90394-69f5-4237-9190-012177145e10"], "auto_extend": True})
    assert response.status_code == 422 and response.json()["code"] == "auto_extend_global_admin"
