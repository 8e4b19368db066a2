"""The official msgraph-sdk (Python) against our /v1.0: existing automation runs by changing only the
base URL and the token. Every call below is one a Graph script makes; the server is the live test
server (transactional DB), the SDK runs on asyncio as in real scripts."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.native_response_handler import NativeResponseHandler
from kiota_http.middleware.options import ResponseHandlerOption
from msgraph.generated.models.delegated_admin_access_assignment import DelegatedAdminAccessAssignment
from msgraph.generated.models.delegated_admin_access_container import DelegatedAdminAccessContainer
from msgraph.generated.models.delegated_admin_access_container_type import DelegatedAdminAccessContainerType
from msgraph.generated.models.delegated_admin_access_details import DelegatedAdminAccessDetails
from msgraph.generated.models.delegated_admin_relationship import DelegatedAdminRelationship
from msgraph.generated.models.delegated_admin_relationship_customer_participant import (
    DelegatedAdminRelationshipCustomerParticipant,
)
from msgraph.generated.models.delegated_admin_relationship_request import DelegatedAdminRelationshipRequest
from msgraph.generated.models.delegated_admin_relationship_request_action import DelegatedAdminRelationshipRequestAction
from msgraph.generated.models.delegated_admin_relationship_status import DelegatedAdminRelationshipStatus
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.unified_role import UnifiedRole
from msgraph.generated.tenant_relationships.delegated_admin_relationships.delegated_admin_relationships_request_builder import (
    DelegatedAdminRelationshipsRequestBuilder,
)
from msgraph_core.tasks.page_iterator import PageIterator

from notifications.models import OutboxMessage
from partnercenter.sealing import unseal
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant
from tests.graphcompat.conftest import graph_client

pytestmark = [pytest.mark.django_db(transaction=True)]

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"


def run(coro: Any) -> Any:
    """asyncio.run on a thread of its own: Playwright's sync API may have left an event loop
    running on this one (browser tests share the worker)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def roles(*ids: str) -> DelegatedAdminAccessDetails:
    return DelegatedAdminAccessDetails(unified_roles=[UnifiedRole(role_definition_id=role_id) for role_id in ids])


def relationship_body(world: Any, name: str, *role_ids: str, days: int = 730, auto_extend: timedelta | None = None) -> DelegatedAdminRelationship:
    body = DelegatedAdminRelationship(
        display_name=name, duration=timedelta(days=days),
        customer=DelegatedAdminRelationshipCustomerParticipant(tenant_id=str(world.customer.tenant_id)),
        access_details=roles(*(role_ids or (USER_ADMIN,))),
    )
    if auto_extend is not None:
        body.auto_extend_duration = auto_extend
    return body


def if_match(etag: str | None) -> RequestConfiguration:
    config = RequestConfiguration()
    if etag is not None:
        config.headers.add("If-Match", etag)
    return config


def native(etag: str) -> RequestConfiguration:
    """Ask the SDK for the raw httpx response (to see 202, Location and Retry-After)."""
    config = if_match(etag)
    config.options = [ResponseHandlerOption(NativeResponseHandler())]
    return config


def approve_in_portal(world: Any, grant_id: str) -> None:
    """The customer's global admin follows the emailed link and approves in the customer admin center."""
    email = OutboxMessage.objects.get(template="relationships/email/grant_approval_request", recipient=world.customer_admin.email)
    text = unseal(email.sealed_body)["text"]
    url = next(line for line in text.splitlines() if "/granularAdminRelationships/" in line)
    assert url.endswith(f"/c/{world.customer.tenant_id}/granularAdminRelationships/{grant_id}")
    path = url[url.index("/c/"):]
    browser = Client()
    browser.force_login(world.customer_admin)
    page = browser.get(path)
    assert page.status_code == 200 and world.partner.name in page.content.decode()
    assert browser.post(path, {"action": "approve"}).status_code == 302


def test_create_read_page_filter_and_patch_with_etags(live_server, graph_world) -> None:  # type: ignore[no-untyped-def]
    world = graph_world

    async def scenario() -> None:
        client = graph_client(live_server.url, world.token)
        relationships = client.tenant_relationships.delegated_admin_relationships
        created = await relationships.post(relationship_body(world, "Contoso helpdesk", HELPDESK_ADMIN, DIRECTORY_READERS))
        assert created.status == DelegatedAdminRelationshipStatus.Created
        assert created.duration == timedelta(days=730) and created.auto_extend_duration == timedelta(0)
        assert created.id.endswith(created.id[37:]) and len(created.id) == 73
        assert [r.role_definition_id for r in created.access_details.unified_roles] == [HELPDESK_ADMIN, DIRECTORY_READERS]
        assert created.customer.tenant_id == str(world.customer.tenant_id) and created.activated_date_time is None

        extending = await relationships.post(relationship_body(world, "Contoso users", USER_ADMIN, auto_extend=timedelta(days=180)))
        assert extending.auto_extend_duration == timedelta(days=180)
        again = await relationships.by_delegated_admin_relationship_id(extending.id).get()
        assert again.auto_extend_duration == timedelta(days=180) and again.duration == timedelta(days=730)
        for n in range(3):
            await relationships.post(relationship_body(world, f"Contoso batch {n}", DIRECTORY_READERS, days=30))

        # $top, $count, $filter; the pages, collected by PageIterator through @odata.nextLink
        query = DelegatedAdminRelationshipsRequestBuilder.DelegatedAdminRelationshipsRequestBuilderGetQueryParameters(
            top=2, count=True, filter="status eq 'created'", orderby=["displayName"])
        first = await relationships.get(request_configuration=RequestConfiguration(query_parameters=query))
        assert len(first.value) == 2 and first.odata_count == 5 and first.odata_next_link.startswith(live_server.url + "/v1.0/")
        names: list[str] = []

        def collect(item: DelegatedAdminRelationship) -> bool:
            names.append(item.display_name)
            return True

        await PageIterator(first, client.request_adapter).iterate(collect)
        assert names == sorted(["Contoso helpdesk", "Contoso users", "Contoso batch 0", "Contoso batch 1", "Contoso batch 2"])
        by_name = DelegatedAdminRelationshipsRequestBuilder.DelegatedAdminRelationshipsRequestBuilderGetQueryParameters(
            filter="displayName eq 'Contoso users'")
        only = await relationships.get(request_configuration=RequestConfiguration(query_parameters=by_name))
        assert [r.id for r in only.value] == [extending.id]

        # get with @odata.etag; PATCH If-Match → 200, stale → 412, missing → 400, round trip → 200
        item = relationships.by_delegated_admin_relationship_id(created.id)
        fetched = await item.get()
        etag = fetched.additional_data["@odata.etag"]
        renamed = await item.patch(DelegatedAdminRelationship(display_name="Contoso helpdesk desk"), request_configuration=if_match(etag))
        assert renamed.display_name == "Contoso helpdesk desk" and renamed.additional_data["@odata.etag"] != etag
        with pytest.raises(ODataError) as stale:
            await item.patch(DelegatedAdminRelationship(display_name="Too late"), request_configuration=if_match(etag))
        assert stale.value.response_status_code == 412 and stale.value.error.code == "resourceModified"
        with pytest.raises(ODataError) as missing:
            await item.patch(DelegatedAdminRelationship(display_name="No tag"), request_configuration=if_match(None))
        assert missing.value.response_status_code == 400 and missing.value.error.code == "invalidRequest"
        current = await item.get()
        round_trip = await item.patch(current, request_configuration=if_match(current.additional_data["@odata.etag"]))
        assert round_trip.display_name == "Contoso helpdesk desk"
        longer = await item.patch(DelegatedAdminRelationship(duration=timedelta(days=90)), request_configuration=if_match("*"))
        assert longer.duration == timedelta(days=90)

        # duplicate name → 409 nameAlreadyExists; unknown role → 400
        with pytest.raises(ODataError) as duplicate:
            await relationships.post(relationship_body(world, "Contoso users", USER_ADMIN))
        assert duplicate.value.response_status_code == 409 and duplicate.value.error.code == "nameAlreadyExists"
        with pytest.raises(ODataError) as unknown_role:
            await relationships.post(relationship_body(world, "Bad role", "00000000-0000-0000-0000-000000000000"))
        assert unknown_role.value.response_status_code == 400

    run(scenario())
    assert DelegatedAdminGrant.objects.filter(partner=world.partner, status=GrantStatus.CREATED).count() == 5


def test_lock_approve_assign_remove_global_admin_and_terminate(live_server, graph_world) -> None:  # type: ignore[no-untyped-def]
    world = graph_world

    async def create_and_lock() -> str:
        client = graph_client(live_server.url, world.token)
        relationships = client.tenant_relationships.delegated_admin_relationships
        created = await relationships.post(relationship_body(world, "Contoso full admin", GLOBAL_ADMIN, USER_ADMIN, days=180))
        request = await relationships.by_delegated_admin_relationship_id(created.id).requests.post(
            DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.LockForApproval))
        assert request.action == DelegatedAdminRelationshipRequestAction.LockForApproval
        locked = await relationships.by_delegated_admin_relationship_id(created.id).get()
        assert locked.status == DelegatedAdminRelationshipStatus.ApprovalPending and locked.activated_date_time is None
        read_back = await relationships.by_delegated_admin_relationship_id(created.id).requests.by_delegated_admin_relationship_request_id(
            request.id).get()
        assert read_back.id == request.id
        with pytest.raises(ODataError) as not_draft:  # only a draft can be deleted
            await relationships.by_delegated_admin_relationship_id(created.id).delete(request_configuration=if_match("*"))
        assert not_draft.value.response_status_code == 400
        return created.id

    grant_id = run(create_and_lock())
    approve_in_portal(world, grant_id)

    async def after_approval() -> None:
        client = graph_client(live_server.url, world.token)
        item = client.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(grant_id)
        active = await item.get()
        assert active.status == DelegatedAdminRelationshipStatus.Active
        assert active.activated_date_time is not None and active.end_date_time - active.activated_date_time == timedelta(days=180)

        # access assignments: the defaults from approval, then create / get / patch / delete
        assignments = await item.access_assignments.get()
        assert {a.access_container.access_container_id for a in assignments.value} == {"admin_agent"}
        created = await item.access_assignments.post(DelegatedAdminAccessAssignment(
            access_container=DelegatedAdminAccessContainer(access_container_id="helpdesk_agent",
                                                           access_container_type=DelegatedAdminAccessContainerType.SecurityGroup),
            access_details=roles(USER_ADMIN)))
        assert created.status.value == "pending"
        one = item.access_assignments.by_delegated_admin_access_assignment_id(created.id)
        fetched = await one.get()
        assert fetched.status.value == "active" and [r.role_definition_id for r in fetched.access_details.unified_roles] == [USER_ADMIN]
        accepted = await one.patch(DelegatedAdminAccessAssignment(access_details=roles(USER_ADMIN, GLOBAL_ADMIN)),
                                   request_configuration=native(fetched.additional_data["@odata.etag"]))
        assert accepted.status_code == 202 and accepted.headers["Retry-After"]  # as Graph: 202 + the operation
        operation_id = accepted.headers["Location"].rsplit("/operations/", 1)[1]  # polling the Location, as a script does
        update = await item.operations.by_delegated_admin_relationship_operation_id(operation_id).get()
        assert (update.operation_type.value, update.status.value) == ("delegatedAdminAccessAssignmentUpdate", "succeeded")
        patched = await one.get()
        assert [r.role_definition_id for r in patched.access_details.unified_roles] == [GLOBAL_ADMIN, USER_ADMIN]
        unchanged = await one.patch(DelegatedAdminAccessAssignment(access_details=roles(USER_ADMIN, GLOBAL_ADMIN)),
                                    request_configuration=if_match(patched.additional_data["@odata.etag"]))
        assert unchanged.id == patched.id  # the same values: 200 with the object, as Graph
        with pytest.raises(ODataError) as stale:
            await one.delete(request_configuration=if_match(fetched.additional_data["@odata.etag"]))
        assert stale.value.response_status_code == 412
        await one.delete(request_configuration=if_match(patched.additional_data["@odata.etag"]))
        with pytest.raises(ODataError) as gone:
            await one.get()
        assert gone.value.response_status_code == 404 and gone.value.error.code == "itemNotFound"

        customers = await client.tenant_relationships.delegated_admin_customers.get()
        assert [(c.tenant_id, c.display_name) for c in customers.value] == [(str(world.customer.tenant_id), world.customer.company_name)]
        customer = await client.tenant_relationships.delegated_admin_customers.by_delegated_admin_customer_id(
            str(world.customer.tenant_id)).get()
        assert customer.display_name == world.customer.company_name

        # after approval only auto-extend may change, and Global Administrator be removed (202 + operation)
        current = await item.get()
        with pytest.raises(ODataError) as locked_name:
            await item.patch(DelegatedAdminRelationship(display_name="Renamed"), request_configuration=if_match("*"))
        assert locked_name.value.response_status_code == 400
        response = await item.patch(DelegatedAdminRelationship(access_details=roles(USER_ADMIN)),
                                    request_configuration=native(current.additional_data["@odata.etag"]))
        assert response.status_code == 202 and response.headers["Retry-After"]
        operations = await item.operations.get()
        assert [(o.operation_type.value, o.status.value) for o in operations.value] == [
            ("delegatedAdminAccessAssignmentUpdate", "succeeded"), ("delegatedAdminRelationshipUpdate", "succeeded")]
        assert response.headers["Location"].endswith(f"/operations/{operations.value[1].id}")
        operation = await item.operations.by_delegated_admin_relationship_operation_id(operations.value[1].id).get()
        assert operation.id == operations.value[1].id
        reduced = await item.get()
        assert [r.role_definition_id for r in reduced.access_details.unified_roles] == [USER_ADMIN]
        extended = await item.patch(DelegatedAdminRelationship(auto_extend_duration=timedelta(days=180)),
                                    request_configuration=if_match(reduced.additional_data["@odata.etag"]))
        assert extended.auto_extend_duration == timedelta(days=180)

        # terminate
        request = await item.requests.post(DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.Terminate))
        assert request.status.value == "succeeded"
        assert (await item.get()).status == DelegatedAdminRelationshipStatus.Terminated

    run(after_approval())
    grant = DelegatedAdminGrant.objects.get(partner=world.partner, display_name="Contoso full admin")
    assert grant.status == GrantStatus.TERMINATED and grant.roles == [USER_ADMIN] and grant.auto_extend


def test_delete_draft_unknown_id_and_bad_token(live_server, graph_world) -> None:  # type: ignore[no-untyped-def]
    world = graph_world

    async def scenario() -> None:
        client = graph_client(live_server.url, world.token)
        relationships = client.tenant_relationships.delegated_admin_relationships
        draft = await relationships.post(relationship_body(world, "Short-lived draft", USER_ADMIN))
        item = relationships.by_delegated_admin_relationship_id(draft.id)
        with pytest.raises(ODataError) as no_tag:
            await item.delete(request_configuration=if_match(None))
        assert no_tag.value.response_status_code == 400
        await item.delete(request_configuration=if_match(draft.additional_data["@odata.etag"]))
        with pytest.raises(ODataError) as deleted:
            await item.get()
        assert deleted.value.response_status_code == 404 and deleted.value.error.code == "itemNotFound"
        with pytest.raises(ODataError) as unknown:
            await relationships.by_delegated_admin_relationship_id("not-a-relationship").get()
        assert unknown.value.response_status_code == 404

        intruder = graph_client(live_server.url, "pck_not-a-real-key")
        with pytest.raises(ODataError) as bad_token:
            await intruder.tenant_relationships.delegated_admin_relationships.get()
        assert bad_token.value.response_status_code == 401 and bad_token.value.error.code == "InvalidAuthenticationToken"

        reader = graph_client(live_server.url, world.read_token)
        listed = await reader.tenant_relationships.delegated_admin_relationships.get()
        assert listed.value == []
        with pytest.raises(ODataError) as read_only:
            await reader.tenant_relationships.delegated_admin_relationships.post(relationship_body(world, "Not allowed", USER_ADMIN))
        assert read_only.value.response_status_code == 403 and read_only.value.error.code == "accessDenied"

    run(scenario())
    assert not DelegatedAdminGrant.objects.filter(partner=world.partner).exists()
