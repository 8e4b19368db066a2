"""/api/v1/grants, access assignments (If-Match required), terminate, /api/v1/grant-requests."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from invitations.models import Invitation
from partnercenter.directory_roles import BUNDLES
from relationships.choices import GrantStatus
from relationships.models import AccessAssignment, DelegatedAdminGrant

pytestmark = pytest.mark.django_db


def test_grant_list_and_retrieve(api_a, world):  # type: ignore[no-untyped-def]
    listed = api_a.get("/api/v1/grants", {"status": "active"}).json()["results"]
    assert [g["id"] for g in listed] == [world["grant"].pk]
    detail = api_a.get(f"/api/v1/grants/{world['grant'].pk}")
    assert detail.status_code == 200
    assert detail.json()["customer"]["tenant_id"] == str(world["customer"].tenant_id)
    assert detail.json()["roles"] == list(world["grant"].roles)


def test_put_access_assignments_requires_if_match(api_a, world):  # type: ignore[no-untyped-def]
    url = f"/api/v1/grants/{world['grant'].pk}/access-assignments"
    response = api_a.put(url, {"assignments": {"admin_agent": world["grant"].roles[:1]}})
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert not AccessAssignment.objects.filter(grant=world["grant"]).exists()


def test_put_access_assignments_with_a_stale_etag_answers_412(api_a, world, partner_a):  # type: ignore[no-untyped-def]
    from relationships.services import access_assignments_set

    url = f"/api/v1/grants/{world['grant'].pk}/access-assignments"
    etag = api_a.get(url)["ETag"]
    access_assignments_set(grant=world["grant"], actor=partner_a.admin, assignments={"helpdesk_agent": world["grant"].roles[:1]})
    response = api_a.put(url, {"assignments": {"admin_agent": world["grant"].roles}}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert set(AccessAssignment.objects.filter(grant=world["grant"]).values_list("partner_role", flat=True)) == {"helpdesk_agent"}


def test_put_access_assignments_with_the_current_etag_replaces_them(api_a, world):  # type: ignore[no-untyped-def]
    url = f"/api/v1/grants/{world['grant'].pk}/access-assignments"
    etag = api_a.get(url)["ETag"]
    response = api_a.put(url, {"assignments": {"admin_agent": world["grant"].roles}}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json() == {"assignments": {"admin_agent": world["grant"].roles}, "security_groups": {}}
    assert response["ETag"] != etag
    event = AuditEvent.objects.get(action="grant.access_assignments_changed")
    assert event.actor_label.startswith("API key ")


def test_put_access_assignments_refuses_roles_the_customer_did_not_grant(api_a, world):  # type: ignore[no-untyped-def]
    url = f"/api/v1/grants/{world['grant'].pk}/access-assignments"
    etag = api_a.get(url)["ETag"]
    other = next(r for r in BUNDLES["full_admin"][1] if r not in world["grant"].roles)
    response = api_a.put(url, {"assignments": {"admin_agent": [other]}}, HTTP_IF_MATCH=etag)
    assert response.status_code == 409 and response.json()["code"] == "not_granted"


def test_terminate_ends_the_grant_and_names_the_key(api_a, world):  # type: ignore[no-untyped-def]
    response = api_a.post(f"/api/v1/grants/{world['grant'].pk}/terminate", {"reason": "Contract ended"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "terminated"
    grant = DelegatedAdminGrant.objects.get(pk=world["grant"].pk)
    assert grant.status == GrantStatus.TERMINATED and grant.termination_reason == "Contract ended"
    event = AuditEvent.objects.get(action="grant.terminated", target_id=str(grant.pk))
    assert event.actor_label.startswith("API key ") and event.data["by"] == "partner"
    again = api_a.post(f"/api/v1/grants/{world['grant'].pk}/terminate", {})
    assert again.status_code == 409 and again.json()["code"] == "not_active"


def test_grant_request_creates_a_delegated_admin_invitation(api_a, world):  # type: ignore[no-untyped-def]
    payload = {"customer_tenant_id": str(world["customer"].tenant_id), "roles": list(BUNDLES["helpdesk"][1]), "duration_days": 90}
    response = api_a.post("/api/v1/grant-requests", payload, HTTP_IDEMPOTENCY_KEY="gr-1")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "delegated_admin"
    assert response.json()["target_domain"] == world["customer"].primary_domain
    assert api_a.post("/api/v1/grant-requests", payload, HTTP_IDEMPOTENCY_KEY="gr-1").json() == response.json()
    assert Invitation.objects.filter(kind="delegated_admin").count() == 1


def test_grant_request_for_someone_elses_customer_is_refused(api_a, customer_b):  # type: ignore[no-untyped-def]
    payload = {"customer_tenant_id": str(customer_b.customer.tenant_id), "roles": list(BUNDLES["helpdesk"][1])}
    response = api_a.post("/api/v1/grant-requests", payload)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "customer_tenant_id", "code": "not_your_customer", "detail": response.json()["detail"]}]


def test_customers_and_relationships(api_a, world):  # type: ignore[no-untyped-def]
    customers = api_a.get("/api/v1/customers").json()["results"]
    assert [c["tenant_id"] for c in customers] == [str(world["customer"].tenant_id)]
    assert customers[0]["delegated_admin"] == {"has_active_grant": True, "has_pending_grant": False}
    detail = api_a.get(f"/api/v1/customers/{world['customer'].tenant_id}")
    assert detail.status_code == 200 and detail["ETag"]
    relationships = api_a.get("/api/v1/relationships", {"status": "active"}).json()["results"]
    assert [r["id"] for r in relationships] == [world["relationship"].pk]
    assert api_a.get(f"/api/v1/relationships/{world['relationship'].pk}").json()["customer"]["company_name"] == "Northwind"
