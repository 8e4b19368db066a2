"""Issue 23, item 1 end to end over Graph: a relationship approved in the portal, a security group
assigned as the access container → a member of the group opens the customer's users in the console,
a non-member (same partner roles) cannot; removing the assignment takes it away on the next request."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from msgraph.generated.models.delegated_admin_access_assignment import DelegatedAdminAccessAssignment
from msgraph.generated.models.delegated_admin_access_container import DelegatedAdminAccessContainer
from msgraph.generated.models.delegated_admin_access_container_type import DelegatedAdminAccessContainerType
from msgraph.generated.models.delegated_admin_relationship_request import DelegatedAdminRelationshipRequest
from msgraph.generated.models.delegated_admin_relationship_request_action import DelegatedAdminRelationshipRequestAction

from partners.choices import PartnerRole
from partners.security_group_services import security_group_add_member, security_group_create
from tests.factories import PartnerMembershipFactory
from tests.graphcompat import microsoft_examples as ms
from tests.graphcompat.conftest import graph_client
from tests.graphcompat.test_microsoft_examples import Graph, approve
from tests.graphcompat.test_msgraph_sdk import (
    DIRECTORY_READERS,
    USER_ADMIN,
    approve_in_portal,
    native,
    relationship_body,
    roles,
    run,
)

pytestmark = pytest.mark.django_db

CONTOSO = "52eaad04-13a2-4a2f-9ce8-93a294fadf36"


def test_group_member_opens_the_customers_users_and_a_non_member_cannot(example_world) -> None:  # type: ignore[no-untyped-def]
    partner = example_world["partner"]
    group = example_world["group"]  # object id 869713c9-…, the one Microsoft's example names
    member = PartnerMembershipFactory(partner=partner.partner, roles=[PartnerRole.SALES_AGENT])
    outsider = PartnerMembershipFactory(partner=partner.partner, roles=[PartnerRole.SALES_AGENT])
    security_group_add_member(actor=partner.admin, group=group, membership=member)

    graph = Graph(example_world["token"])
    body = {"displayName": "Contoso helpdesk", "duration": "P730D", "customer": {"tenantId": CONTOSO},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in (
                "29232cdf-9323-42fd-ade2-1d097af3e4de", "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
                "729827e3-9c14-49f7-bb1b-9608f156bbb8", "3a2c62db-5318-420d-8d74-23affee5d9d5")]}}
    created = graph.client.post(graph.path(ms.CREATE_RELATIONSHIP), json.dumps(body), content_type="application/json")
    relationship_id = created.json()["id"]
    assert graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=relationship_id).status_code == 201
    approve(relationship_id, example_world["customers"][CONTOSO])

    users = reverse("relationships:customer_users", kwargs={"partner_id": partner.partner.partner_id, "tenant_id": CONTOSO})
    member_browser, outsider_browser = Client(), Client()
    member_browser.force_login(member.user)
    outsider_browser.force_login(outsider.user)
    assert member_browser.get(users).status_code == 403  # approval's defaults go to admin/helpdesk agents, not sales

    assigned = graph.send(ms.CREATE_ASSIGNMENT, relationship_id=relationship_id)  # Microsoft's body, verbatim
    assert assigned.status_code == 201, assigned.content
    assert assigned.json()["accessContainer"]["accessContainerId"] == str(group.object_id)
    assert member_browser.get(users).status_code == 200
    assert outsider_browser.get(users).status_code == 403

    etag = graph.follow(assigned["Location"])["ETag"]
    assert graph.client.delete(assigned["Location"].removeprefix("http://testserver"), headers={"If-Match": etag}).status_code == 204
    assert member_browser.get(users).status_code == 403
    listed = graph.send(ms.LIST_ASSIGNMENTS, relationship_id=relationship_id).json()["value"]
    assert str(group.object_id) not in {a["accessContainer"]["accessContainerId"] for a in listed}


def test_unknown_or_foreign_group_is_a_clear_400(example_world, partner_b) -> None:  # type: ignore[no-untyped-def]
    theirs = security_group_create(actor=partner_b.admin, partner=partner_b.partner, name="Fabrikam group")
    graph = Graph(example_world["token"])
    draft = graph.send(ms.CREATE_RELATIONSHIP).json()
    for container in ("0b5e6f3a-0000-4000-8000-000000000000", str(theirs.object_id), "not-a-guid"):
        body = {"accessContainer": {"accessContainerId": container, "accessContainerType": "securityGroup"},
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8"}]}}
        refused = graph.client.post(graph.path(ms.CREATE_ASSIGNMENT, draft["id"]), json.dumps(body), content_type="application/json")
        assert refused.status_code == 400 and "security groups" in refused.json()["error"]["message"], container


@pytest.mark.django_db(transaction=True)
def test_sdk_lifecycle_with_a_security_group(live_server, graph_world) -> None:  # type: ignore[no-untyped-def]
    """Issue 23's "must show": create → lockForApproval → the customer approves in the portal → assign the
    group → a member opens the customer's users, a non-member cannot → update → terminate — through msgraph-sdk."""
    world = graph_world
    group = security_group_create(actor=world.membership, partner=world.partner, name="GDAP helpdesk")
    member = PartnerMembershipFactory(partner=world.partner, roles=[PartnerRole.SALES_AGENT])
    outsider = PartnerMembershipFactory(partner=world.partner, roles=[PartnerRole.SALES_AGENT])
    security_group_add_member(actor=world.membership, group=group, membership=member)
    users = reverse("relationships:customer_users", kwargs={"partner_id": world.partner.partner_id, "tenant_id": world.customer.tenant_id})
    member_browser, outsider_browser = Client(), Client()
    member_browser.force_login(member.user)
    outsider_browser.force_login(outsider.user)

    async def create_and_lock() -> str:
        client = graph_client(live_server.url, world.token)
        relationships = client.tenant_relationships.delegated_admin_relationships
        created = await relationships.post(relationship_body(world, "Contoso via group", USER_ADMIN, DIRECTORY_READERS))
        await relationships.by_delegated_admin_relationship_id(created.id).requests.post(
            DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.LockForApproval))
        return str(created.id)

    grant_id = run(create_and_lock())
    approve_in_portal(world, grant_id)
    assert member_browser.get(users).status_code == 403

    async def assign() -> tuple[str, str]:
        client = graph_client(live_server.url, world.token)
        item = client.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(grant_id)
        created = await item.access_assignments.post(DelegatedAdminAccessAssignment(
            access_container=DelegatedAdminAccessContainer(access_container_id=str(group.object_id),
                                                           access_container_type=DelegatedAdminAccessContainerType.SecurityGroup),
            access_details=roles(USER_ADMIN, DIRECTORY_READERS)))
        assert created.access_container.access_container_id == str(group.object_id) and created.status.value == "pending"
        fetched = await item.access_assignments.by_delegated_admin_access_assignment_id(created.id).get()
        return str(created.id), fetched.additional_data["@odata.etag"]

    assignment_id, etag = run(assign())
    assert member_browser.get(users).status_code == 200
    assert outsider_browser.get(users).status_code == 403

    async def update() -> None:
        client = graph_client(live_server.url, world.token)
        item = client.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(grant_id)
        one = item.access_assignments.by_delegated_admin_access_assignment_id(assignment_id)
        accepted = await one.patch(DelegatedAdminAccessAssignment(access_details=roles(DIRECTORY_READERS)), request_configuration=native(etag))
        assert accepted.status_code == 202 and "/operations/" in accepted.headers["Location"]
        assert [r.role_definition_id for r in (await one.get()).access_details.unified_roles] == [DIRECTORY_READERS]

    run(update())
    assert member_browser.get(users).status_code == 200  # Directory Readers still reads users

    async def terminate() -> None:
        client = graph_client(live_server.url, world.token)
        item = client.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(grant_id)
        request = await item.requests.post(DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.Terminate))
        assert request.status.value == "succeeded"

    run(terminate())
    assert member_browser.get(users).status_code == 403
