"""One action, three surfaces: the Graph-compatible API, /api/v1 and the partner console call the same
services, so each writes the same audit events and raises the same webhooks."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import OutboxMessage, WebhookDelivery
from notifications.webhook_events import WebhookEventType, event_id_for
from partners.webhook_services import webhook_subscription_create
from relationships.graph_ids import grant_graph_id
from relationships.models import AccessAssignment, DelegatedAdminGrant

USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
SURFACES = ("graph", "api_v1", "console")


@pytest.fixture(autouse=True)
def _local_webhooks(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True


@pytest.fixture
def surfaces(graph_world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    webhook_subscription_create(membership=graph_world.membership, url="http://127.0.0.1:9/hook",
                                event_types=[t.value for t in WebhookEventType if t.value.startswith("grant.")])
    console = Client()
    console.force_login(graph_world.membership.user)
    return {"key": Client(HTTP_AUTHORIZATION=f"Bearer {graph_world.token}"), "console": console}


def active_grant(world: Any, name: str) -> DelegatedAdminGrant:
    now = timezone.now()
    grant = DelegatedAdminGrant.objects.create(
        partner=world.partner, customer=world.customer, display_name=name, roles=[HELPDESK_ADMIN, USER_ADMIN], duration_days=90,
        status="active", starts_at=now, ends_at=now + timedelta(days=90), request_expires_at=now + timedelta(days=90))
    AccessAssignment.objects.create(grant=grant, partner_role="admin_agent", roles=[HELPDESK_ADMIN, USER_ADMIN])
    return grant


def trail(grant: DelegatedAdminGrant) -> list[tuple[str, dict[str, Any], list[str], str]]:
    """(action, data, webhook event types, webhook object type) of every audit event about the grant."""
    rows = []
    for event in AuditEvent.objects.filter(target_type="relationships.delegatedadmingrant", target_id=str(grant.pk)).order_by("pk"):
        deliveries = WebhookDelivery.objects.filter(event_id=event_id_for(event))
        bodies = [json.loads(d.body) for d in deliveries]
        rows.append((event.action, event.data, sorted(d.event_type for d in deliveries),
                     ",".join(sorted({b["data"]["object"]["type"] for b in bodies}))))
    return rows


def terminate(surface: str, clients: dict[str, Any], grant: DelegatedAdminGrant) -> None:
    if surface == "graph":
        response = clients["key"].post(f"/v1.0/tenantRelationships/delegatedAdminRelationships/{grant_graph_id(grant)}/requests",
                                       json.dumps({"action": "terminate"}), content_type="application/json")
        assert response.status_code == 201
    elif surface == "api_v1":
        response = clients["key"].post(f"/api/v1/grants/{grant.pk}/terminate", json.dumps({"reason": ""}), content_type="application/json")
        assert response.status_code == 200
    else:
        response = clients["console"].post(f"/p/{grant.partner.partner_id}/delegated-admin/{grant.pk}/", {"action": "terminate", "reason": ""})
        assert response.status_code == 302


def give_helpdesk_agents_user_admin(surface: str, clients: dict[str, Any], grant: DelegatedAdminGrant) -> None:
    if surface == "graph":
        response = clients["key"].post(
            f"/v1.0/tenantRelationships/delegatedAdminRelationships/{grant_graph_id(grant)}/accessAssignments",
            json.dumps({"accessContainer": {"accessContainerId": "helpdesk_agent", "accessContainerType": "securityGroup"},
                        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}]}}), content_type="application/json")
        assert response.status_code == 201
    elif surface == "api_v1":
        url = f"/api/v1/grants/{grant.pk}/access-assignments"
        etag = clients["key"].get(url)["ETag"]
        response = clients["key"].put(url, json.dumps({"assignments": {"admin_agent": [HELPDESK_ADMIN, USER_ADMIN],
                                                                        "helpdesk_agent": [USER_ADMIN]}}),
                                      content_type="application/json", headers={"If-Match": etag})
        assert response.status_code == 200
    else:
        response = clients["console"].post(f"/p/{grant.partner.partner_id}/delegated-admin/{grant.pk}/", {
            "assign-admin_agent": [HELPDESK_ADMIN, USER_ADMIN], "assign-helpdesk_agent": [USER_ADMIN]})
        assert response.status_code == 302


def test_terminate_writes_the_same_audit_event_webhook_and_email_on_every_surface(graph_world, surfaces) -> None:  # type: ignore[no-untyped-def]
    results = {}
    for surface in SURFACES:
        grant = active_grant(graph_world, f"Terminated through {surface}")
        terminate(surface, surfaces, grant)
        grant.refresh_from_db()
        emails = OutboxMessage.objects.filter(topic=f"grant:{grant.pk}").values_list("template", "recipient")
        results[surface] = (grant.status, trail(grant), sorted(emails))
    assert results["graph"] == results["api_v1"] == results["console"]
    status, events, emails = results["graph"]
    assert status == "terminated"
    assert events == [("grant.terminated", {"by": "partner", "reason": "", "after": {"status": "terminated"}, "before": {"status": "active"}},
                       ["grant.terminated"], "grant")]
    assert emails == [("relationships/email/grant_event", graph_world.customer_admin.email)]


def test_access_assignment_change_writes_the_same_audit_event_and_webhook_on_every_surface(graph_world, surfaces) -> None:  # type: ignore[no-untyped-def]
    results = {}
    for surface in SURFACES:
        grant = active_grant(graph_world, f"Assigned through {surface}")
        give_helpdesk_agents_user_admin(surface, surfaces, grant)
        results[surface] = (trail(grant), sorted((a.partner_role, tuple(a.roles)) for a in grant.access_assignments.all()))
    assert results["graph"] == results["api_v1"] == results["console"]
    events, assignments = results["graph"]
    assert [(action, types) for action, _data, types, _kind in events] == [
        ("grant.access_assignments_changed", ["grant.access_assignments_changed"])]
    assert assignments == [("admin_agent", (HELPDESK_ADMIN, USER_ADMIN)), ("helpdesk_agent", (USER_ADMIN,))]
