"""The wire rules over plain HTTP (Django test client): errors, query options, durations, tenancy,
the customer's approval page, and Partner Center's GET /v1/customers/relationshiprequests."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from audit.models import AuditEvent
from customers.choices import CustomerRole
from invitations.api_selectors import active_relationship_link
from invitations.links import relationship_link_url
from invitations.models import RelationshipLink
from invitations.relationship_links import (
    relationship_link_for_new_partner,
    relationship_link_revoke,
    relationship_link_rotate,
)
from notifications.models import OutboxMessage
from partners.api_key_services import api_key_create
from partners.services import partner_create
from relationships.choices import GrantStatus
from relationships.graph_ids import grant_graph_id
from relationships.models import DelegatedAdminGrant
from tests.factories import CustomerMembershipFactory, PartnerMembershipFactory, UserFactory

BASE = "/v1.0/tenantRelationships/delegatedAdminRelationships"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def body(world: Any, name: str = "Contoso users", **overrides: Any) -> dict[str, Any]:
    return {"displayName": name, "duration": "P730D", "customer": {"tenantId": str(world.customer.tenant_id)},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}]}, **overrides}


def post(client: Client, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.patch(path, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def graph(graph_world) -> Client:  # type: ignore[no-untyped-def]
    return bearer(graph_world.token)


@pytest.mark.parametrize(("sent", "days"), [
    ("P730D", 730), ("P2Y", 730), ("P1D", 1), ("P4W", 28), ("730 days, 0:00:00", 730), ("1 day, 0:00:00", 1), ("PT24H", 1),
])
def test_durations_accept_iso_8601_and_python_timedelta_text(graph, graph_world, sent, days) -> None:  # type: ignore[no-untyped-def]
    response = post(graph, BASE, body(graph_world, duration=sent))
    assert response.status_code == 201, response.json()
    assert response.json()["duration"] == f"P{days}D"
    assert response["Location"] == f"http://testserver{BASE}/{response.json()['id']}"


@pytest.mark.parametrize("sent", ["P731D", "P0D", "P1M", "PT1H", "soon", 30, "-1 day, 0:00:00"])
def test_bad_durations_are_invalid_requests_and_change_nothing(graph, graph_world, sent) -> None:  # type: ignore[no-untyped-def]
    response = post(graph, BASE, body(graph_world, duration=sent))
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalidRequest"
    assert not DelegatedAdminGrant.objects.exists()


@pytest.mark.parametrize(("sent", "answer"), [("PT0S", "PT0S"), ("P0D", "PT0S"), ("0:00:00", "PT0S"),
                                               ("P180D", "P180D"), ("180 days, 0:00:00", "P180D")])
def test_auto_extend_duration_is_none_or_180_days(graph, graph_world, sent, answer) -> None:  # type: ignore[no-untyped-def]
    response = post(graph, BASE, body(graph_world, autoExtendDuration=sent))
    assert response.status_code == 201 and response.json()["autoExtendDuration"] == answer
    assert post(graph, BASE, body(graph_world, "Other", autoExtendDuration="P90D")).status_code == 400


def test_errors_have_graph_shape_with_request_ids(graph, graph_world) -> None:  # type: ignore[no-untyped-def]
    response = graph.get(f"{BASE}/nope", headers={"client-request-id": "abc-123"})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "itemNotFound" and error["message"]
    assert error["innerError"]["client-request-id"] == "abc-123" and error["innerError"]["request-id"]
    assert error["innerError"]["date"].endswith("Z")
    anonymous = Client().get(BASE)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert post(graph, BASE, {"displayName": "x"}).json()["error"]["code"] == "invalidRequest"
    assert graph.post(BASE, "{not json", content_type="application/json").status_code == 400


@pytest.mark.parametrize("query", ["$top=301", "$top=0", "$top=abc", "$select=bogus", "$select=id,", "$expand=operations", "$filter=duration eq 'P1D'",
                                   "$filter=status ne 'active'", "$orderby=duration", "$skiptoken=forged", "$count=yes", "status=active",
                                   "$filter=status eq 'bogus'", "$filter=status eq 'Active'"])
def test_unsupported_or_malformed_query_options_are_400(graph, graph_world, query) -> None:  # type: ignore[no-untyped-def]
    response = graph.get(f"{BASE}?{query}")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalidRequest"


def test_filters_order_and_count(graph, graph_world) -> None:  # type: ignore[no-untyped-def]
    for name in ("Beta", "Alpha", "Gamma"):
        assert post(graph, BASE, body(graph_world, name)).status_code == 201
    listed = graph.get(f"{BASE}?$orderby=displayName desc&$count=true&$filter=customer/tenantId eq '{graph_world.customer.tenant_id}'")
    assert [r["displayName"] for r in listed.json()["value"]] == ["Gamma", "Beta", "Alpha"]
    assert listed.json()["@odata.count"] == 3 and "@odata.nextLink" not in listed.json()
    assert listed.json()["@odata.context"] == "http://testserver/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships"
    assert graph.get(f"{BASE}?$filter=status eq 'active'").json()["value"] == []
    assert len(graph.get(f"{BASE}?$filter=status eq 'created' and displayName eq 'Beta'").json()["value"]) == 1


def test_another_partners_relationship_is_not_found(graph_world, partner_b) -> None:  # type: ignore[no-untyped-def]
    created = post(bearer(graph_world.token), BASE, body(graph_world)).json()
    other = bearer(api_key_create(membership=partner_b.admin, name="B", scopes=["grants:write"]).token)
    for response in (other.get(f"{BASE}/{created['id']}"),
                     patch(other, f"{BASE}/{created['id']}", {"displayName": "Mine"}, **{"If-Match": "*"}),
                     post(other, f"{BASE}/{created['id']}/requests", {"action": "lockForApproval"}),
                     other.delete(f"{BASE}/{created['id']}", headers={"If-Match": "*"})):
        assert response.status_code == 404 and response.json()["error"]["code"] == "itemNotFound"
    assert other.get(BASE).json()["value"] == []
    # B is not Northwind's reseller: it cannot aim a draft at Northwind either
    assert post(other, BASE, body(graph_world, "Sneaky")).status_code == 400
    assert DelegatedAdminGrant.objects.get().display_name == "Contoso users"


def test_lock_for_approval_emails_the_customers_global_admins_and_audits_a_request(graph, graph_world) -> None:  # type: ignore[no-untyped-def]
    created = post(graph, BASE, body(graph_world)).json()
    reader = CustomerMembershipFactory(customer=graph_world.customer, user=UserFactory(email="reader@northwind.example"),
                                       role=CustomerRole.USER)
    response = post(graph, f"{BASE}/{created['id']}/requests", {"action": "lockForApproval"})
    assert response.status_code == 201 and response.json()["status"] == "succeeded"
    assert graph.get(f"{BASE}/{created['id']}").json()["status"] == "approvalPending"
    emails = OutboxMessage.objects.filter(template="relationships/email/grant_approval_request")
    assert [m.recipient for m in emails] == [graph_world.customer_admin.email]
    assert reader.user.email not in {m.recipient for m in emails}
    grant = DelegatedAdminGrant.objects.get()
    assert list(AuditEvent.objects.filter(target_id=str(grant.pk)).order_by("pk").values_list("action", flat=True)) == [
        "grant.drafted", "grant.requested"]
    again = post(graph, f"{BASE}/{created['id']}/requests", {"action": "lockForApproval"})
    assert again.status_code == 400 and emails.count() == 1
    assert post(graph, f"{BASE}/{created['id']}/requests", {"action": "approve"}).status_code == 400


def test_after_approval_only_auto_extend_changes_and_global_admin_removal(graph, graph_world) -> None:  # type: ignore[no-untyped-def]
    from relationships.services import grant_approve

    created = post(graph, BASE, body(graph_world, accessDetails={"unifiedRoles": [{"roleDefinitionId": GLOBAL_ADMIN},
                                                                                 {"roleDefinitionId": USER_ADMIN}]})).json()
    path = f"{BASE}/{created['id']}"
    assert post(graph, f"{path}/requests", {"action": "lockForApproval"}).status_code == 201
    grant_approve(grant=DelegatedAdminGrant.objects.get(), user=graph_world.customer_admin)
    current = graph.get(path)
    tag = current["ETag"]
    assert patch(graph, path, {"duration": "P30D"}, **{"If-Match": tag}).status_code == 400
    assert patch(graph, path, {"autoExtendDuration": "P180D"}, **{"If-Match": tag}).status_code == 400  # not with Global Admin
    assert patch(graph, path, {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_ADMIN}]}},
                 **{"If-Match": tag}).status_code == 400  # only Global Administrator may go
    removed = patch(graph, path, {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}]}}, **{"If-Match": tag})
    assert removed.status_code == 202 and removed["Retry-After"] == "5" and "/operations/" in removed["Location"]
    grant = DelegatedAdminGrant.objects.get()
    assert grant.roles == [USER_ADMIN] and all(GLOBAL_ADMIN not in a.roles for a in grant.access_assignments.all())
    assert AuditEvent.objects.filter(action="grant.updated", target_id=str(grant.pk)).count() == 1
    assert graph.delete(path, headers={"If-Match": "*"}).status_code == 400
    assert grant.status == GrantStatus.ACTIVE


def test_customer_approval_page_is_for_the_customers_own_members(graph, graph_world, customer_b) -> None:  # type: ignore[no-untyped-def]
    created = post(graph, BASE, body(graph_world)).json()
    page = f"/c/{graph_world.customer.tenant_id}/granularAdminRelationships/{created['id']}"
    admin = Client()
    admin.force_login(graph_world.customer_admin)
    assert admin.get(page).status_code == 404  # a draft is the partner's own
    post(graph, f"{BASE}/{created['id']}/requests", {"action": "lockForApproval"})
    shown = admin.get(page)
    assert shown.status_code == 200 and "Contoso users" in shown.content.decode() and 'value="approve"' in shown.content.decode()
    stranger = Client()
    stranger.force_login(customer_b.user)
    assert stranger.get(page).status_code == 404
    assert stranger.get(f"/c/{customer_b.customer.tenant_id}/granularAdminRelationships/{created['id']}").status_code == 404
    reader = CustomerMembershipFactory(customer=graph_world.customer, role=CustomerRole.USER)
    viewer = Client()
    viewer.force_login(reader.user)
    assert viewer.get(page).status_code == 200 and 'value="approve"' not in viewer.get(page).content.decode()
    assert viewer.post(page, {"action": "approve"}).status_code == 403
    assert DelegatedAdminGrant.objects.get().status == GrantStatus.APPROVAL_PENDING
    assert admin.post(page, {"action": "reject", "reason": "Not now"}).status_code == 302
    assert graph.get(f"{BASE}/{created['id']}").json()["status"] == "terminated"


def test_relationship_request_link_partner_center_endpoint(graph_world, partner_b) -> None:  # type: ignore[no-untyped-def]
    """As Partner Center: every partner has a link (made with the partner), MS-RequestId/MS-CorrelationId echoed.
    GET only reads: no link made or rotated, no audit event."""
    for partner in (graph_world.partner, partner_b.partner):  # as partner_create does (the factory makes bare rows)
        with transaction.atomic():
            relationship_link_for_new_partner(partner=partner, actor=None)
    links, events = list(RelationshipLink.objects.values().order_by("pk")), AuditEvent.objects.count()
    client = bearer(graph_world.token)
    first = client.get("/v1/customers/relationshiprequests", headers={"MS-RequestId": "r-1", "MS-CorrelationId": "c-1"})
    assert first.status_code == 200 and first["MS-RequestId"] == "r-1" and first["MS-CorrelationId"] == "c-1"
    link = active_relationship_link(partner=graph_world.partner)
    assert first.json() == {"url": relationship_link_url(link), "attributes": {"objectType": "RelationshipRequest"}}
    assert client.get("/v1/customers/relationshiprequests").json() == first.json()  # the same link, nothing new
    reader = bearer(api_key_create(membership=partner_b.admin, name="B", scopes=["invitations:read"]).token)
    theirs = reader.get("/v1/customers/relationshiprequests")  # B gets its own link, never A's; reading needs no more
    assert theirs.status_code == 200 and theirs.json()["url"] not in (first.json()["url"], None)
    events += 1  # the key B's admin just made
    assert list(RelationshipLink.objects.values().order_by("pk")) == links and AuditEvent.objects.count() == events
    link = relationship_link_rotate(membership=graph_world.membership)
    response = client.get("/v1/customers/relationshiprequests")
    assert response.status_code == 200
    assert response.json() == {"url": relationship_link_url(link), "attributes": {"objectType": "RelationshipRequest"}}
    assert Client().get("/v1/customers/relationshiprequests").status_code == 401
    no_scope = bearer(graph_world.read_token)  # grants:read only
    assert no_scope.get("/v1/customers/relationshiprequests").status_code == 403
    relationship_link_revoke(membership=graph_world.membership)
    links, events = list(RelationshipLink.objects.values().order_by("pk")), AuditEvent.objects.count()
    revoked = client.get("/v1/customers/relationshiprequests")  # a link the partner revoked stays revoked
    assert revoked.status_code == 404 and revoked.json()["error"]["code"] == "itemNotFound"
    assert "Partner settings" in revoked.json()["error"]["message"]
    assert list(RelationshipLink.objects.values().order_by("pk")) == links and AuditEvent.objects.count() == events
    assert client.get("/v1/customers/nothing").json()["error"]["code"] == "BadRequest"


def test_relationship_request_get_makes_no_link(partner_a) -> None:  # type: ignore[no-untyped-def]
    """A partner without a link row (only a bare factory row now) gets 404 and GET writes nothing, whatever the key."""
    token = api_key_create(membership=partner_a.admin, name="Writer", scopes=["grants:write", "invitations:read"]).token
    events = AuditEvent.objects.count()
    response = bearer(token).get("/v1/customers/relationshiprequests")
    assert response.status_code == 404 and response.json()["error"]["code"] == "itemNotFound"
    assert not RelationshipLink.objects.exists() and AuditEvent.objects.count() == events


def test_a_new_partner_has_its_reusable_link(partner_a) -> None:  # type: ignore[no-untyped-def]
    """partner_create gives the partner an active link (audited in the same transaction), so GET has one to return."""
    partner = partner_create(name="Litware Cloud", country="US", cloud="us_gov", partner_type="direct_bill",
                             verified_domain="litware.example", actor=partner_a.admin.user)
    link = RelationshipLink.objects.get(partner=partner)
    assert link.status == "active" and link.include_delegated_admin  # sovereign cloud: delegated admin included
    assert relationship_link_url(link).startswith("http")
    event = AuditEvent.objects.get(action="relationship_link.created")
    assert event.partner_id == partner.pk and event.actor == partner_a.admin.user
    admin = PartnerMembershipFactory(partner=partner, user=UserFactory(), roles=["account_admin"])
    token = api_key_create(membership=admin, name="Reader", scopes=["invitations:read"]).token
    response = bearer(token).get("/v1/customers/relationshiprequests")
    assert response.status_code == 200 and response.json()["url"] == relationship_link_url(link)


def test_existing_grants_appear_with_stable_graph_ids(graph, graph_world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    grant = DelegatedAdminGrant.objects.create(
        partner=graph_world.partner, customer=graph_world.customer, display_name="From an invitation", roles=[USER_ADMIN],
        duration_days=30, status=GrantStatus.ACTIVE, starts_at=now, ends_at=now + timedelta(days=30),
        request_expires_at=now + timedelta(days=90))
    entity = graph.get(f"{BASE}/{grant_graph_id(grant)}").json()
    assert entity["status"] == "active" and entity["endDateTime"].endswith("Z")
    assert entity["@odata.etag"].startswith('W/"') and entity["id"] == grant_graph_id(grant)
    customers = graph.get("/v1.0/tenantRelationships/delegatedAdminCustomers").json()["value"]
    assert [c["tenantId"] for c in customers] == [str(graph_world.customer.tenant_id)]


def test_listing_costs_the_same_queries_for_3_or_30_relationships(graph, graph_world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert graph.get(f"{BASE}?$count=true&$top=300").status_code == 200
        return len(captured)

    for n in range(3):
        post(graph, BASE, body(graph_world, f"Small {n}"))
    small = queries_for_listing()
    for n in range(27):
        post(graph, BASE, body(graph_world, f"Large {n}"))
    assert queries_for_listing() == small
    with django_assert_max_num_queries(small):
        graph.get(f"{BASE}?$top=300")


def test_the_keys_rate_limit_applies_with_retry_after(graph, graph_world, settings, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(time.time(), tick=False)  # limits count in fixed clock windows: none turns mid-test
    settings.API_RATE_LIMIT = "2/min"
    assert graph.get(BASE).status_code == 200
    assert graph.get(BASE).status_code == 200
    limited = graph.get(BASE)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "TooManyRequests"
    assert int(limited["Retry-After"]) >= 1


def test_default_page_is_100_and_the_skiptoken_walks_every_row_once(graph, graph_world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    DelegatedAdminGrant.objects.bulk_create([
        DelegatedAdminGrant(partner=graph_world.partner, customer=graph_world.customer, display_name=f"Bulk {n:03d}", roles=[USER_ADMIN],
                            duration_days=30, status=GrantStatus.CREATED, request_expires_at=now + timedelta(days=90))
        for n in range(201)
    ])
    seen: list[str] = []
    url: str | None = f"{BASE}?$orderby=displayName"
    sizes = []
    while url:
        page = graph.get(url).json()
        sizes.append(len(page["value"]))
        seen += [row["displayName"] for row in page["value"]]
        url = page.get("@odata.nextLink", "").removeprefix("http://testserver") or None
    assert sizes == [100, 100, 1] and seen == sorted(seen) and len(set(seen)) == 201
