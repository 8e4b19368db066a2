"""Microsoft's published Python snippets (msgraph-sdk) for the delegatedAdminRelationship family, run as
published against the live test server: only the client's base URL and token, the ids in the calls
and the If-Match value (which Microsoft's reference says to take from a GET) are changed.

Sources (microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/includes/snippets/python/):
create-delegatedadminrelationship-from--python-snippets.md, update-delegatedadminrelationship-python-snippets.md,
create-delegatedadminrelationshiprequest-from--python-snippets.md, update-delegatedadminaccessassignment-python-snippets.md,
and the list/get snippets of the same pages (one call each).
"""

from __future__ import annotations

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
from msgraph.generated.tenant_relationships.delegated_admin_relationships.item.delegated_admin_relationship_item_request_builder import (
    DelegatedAdminRelationshipItemRequestBuilder,
)

from relationships.models import DelegatedAdminGrant
from tests.graphcompat.conftest import graph_client
from tests.graphcompat.test_msgraph_sdk import run

pytestmark = [pytest.mark.django_db(transaction=True)]

NORTHWIND = "52eaad04-13a2-4a2f-9ce8-93a294fadf36"


def approve(tenant_id: str, grant_id: str) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(tenant_id=tenant_id)
    browser = Client()
    browser.force_login(customer.memberships.get().user)
    assert browser.post(f"/c/{tenant_id}/granularAdminRelationships/{grant_id}", {"action": "approve"}).status_code == 302


def test_microsofts_python_snippets_run_as_published(live_server, example_world) -> None:  # type: ignore[no-untyped-def]
    token = example_world["token"]

    async def draft_and_lock() -> tuple[str, str]:
        graph_client_ = graph_client(live_server.url, token)  # the snippets' `graph_client`

        # create-delegatedadminrelationship-from--python-snippets.md (as published)
        request_body = DelegatedAdminRelationship(
            display_name = "Contoso admin relationship",
            duration = "P730D",
            customer = DelegatedAdminRelationshipCustomerParticipant(
                tenant_id = "4b827261-d21f-4aa9-b7db-7fa1f56fb163",
                display_name = "Contoso subsidiary Inc",
            ),
            access_details = DelegatedAdminAccessDetails(
                unified_roles = [
                    UnifiedRole(
                        role_definition_id = "29232cdf-9323-42fd-ade2-1d097af3e4de",
                    ),
                    UnifiedRole(
                        role_definition_id = "3a2c62db-5318-420d-8d74-23affee5d9d5",
                    ),
                ],
            ),
        )
        result = await graph_client_.tenant_relationships.delegated_admin_relationships.post(request_body)
        assert result.status == DelegatedAdminRelationshipStatus.Created and result.duration == timedelta(days=730)
        assert result.customer.display_name == "Contoso subsidiary Inc" and result.odata_type == "#microsoft.graph.delegatedAdminRelationship"
        relationship_id = result.id

        fetched = await graph_client_.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(relationship_id).get()
        # update-delegatedadminrelationship-python-snippets.md (as published; If-Match from the GET)
        request_body = DelegatedAdminRelationship(
            display_name = "Updated Contoso admin relationship",
            duration = "P31D",
            customer = DelegatedAdminRelationshipCustomerParticipant(
                tenant_id = "52eaad04-13a2-4a2f-9ce8-93a294fadf36",
            ),
            access_details = DelegatedAdminAccessDetails(
                unified_roles = [
                    UnifiedRole(
                        role_definition_id = "44367163-eba1-44c3-98af-f5787879f96a",
                    ),
                    UnifiedRole(
                        role_definition_id = "29232cdf-9323-42fd-ade2-1d097af3e4de",
                    ),
                    UnifiedRole(
                        role_definition_id = "69091246-20e8-4a56-aa4d-066075b2a7a8",
                    ),
                    UnifiedRole(
                        role_definition_id = "3a2c62db-5318-420d-8d74-23affee5d9d5",
                    ),
                ]
            ),
        )
        request_configuration = DelegatedAdminRelationshipItemRequestBuilder.DelegatedAdminRelationshipItemRequestBuilderPatchRequestConfiguration(
        headers = {
                'If-Match' : fetched.additional_data["@odata.etag"],
        }

        )
        result = await graph_client_.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(relationship_id).patch(body = request_body, request_configuration = request_configuration)
        assert result.display_name == "Updated Contoso admin relationship" and result.duration == timedelta(days=31)
        assert result.customer.tenant_id == NORTHWIND

        # create-delegatedadminrelationshiprequest-from--python-snippets.md
        request_body = DelegatedAdminRelationshipRequest(
            action = DelegatedAdminRelationshipRequestAction.LockForApproval,
        )
        result = await graph_client_.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(relationship_id).requests.post(request_body)
        assert result.action == DelegatedAdminRelationshipRequestAction.LockForApproval

        # a relationship granting the roles of the access-assignment snippet, for the next step
        wide = await graph_client_.tenant_relationships.delegated_admin_relationships.post(DelegatedAdminRelationship(
            display_name="Contoso assignments", duration="P730D",
            customer=DelegatedAdminRelationshipCustomerParticipant(tenant_id=NORTHWIND),
            access_details=DelegatedAdminAccessDetails(unified_roles=[UnifiedRole(role_definition_id=r) for r in (
                "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "44367163-eba1-44c3-98af-f5787879f96a", "729827e3-9c14-49f7-bb1b-9608f156bbb8")])))
        await graph_client_.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(wide.id).requests.post(
            DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.LockForApproval))
        return relationship_id, wide.id

    relationship_id, wide_id = run(draft_and_lock())
    approve(NORTHWIND, relationship_id)
    approve(NORTHWIND, wide_id)

    async def after_approval() -> None:
        graph_client_ = graph_client(live_server.url, token)
        relationships = graph_client_.tenant_relationships.delegated_admin_relationships
        listed = await relationships.get()
        assert {r.status for r in listed.value} == {DelegatedAdminRelationshipStatus.Active}
        assert await relationships.count.get() == 2  # /$count, as the SDK's count builder sends it
        assignment = await relationships.by_delegated_admin_relationship_id(wide_id).access_assignments.post(DelegatedAdminAccessAssignment(
            access_container=DelegatedAdminAccessContainer(access_container_id="account_admin",
                                                           access_container_type=DelegatedAdminAccessContainerType.SecurityGroup),
            access_details=DelegatedAdminAccessDetails(unified_roles=[UnifiedRole(role_definition_id="88d8e3e3-8f55-4a1e-953a-9b9898b8876b")])))
        assert assignment.status.value == "pending"
        assignments = await relationships.by_delegated_admin_relationship_id(wide_id).access_assignments.get()
        assert assignment.id in {a.id for a in assignments.value}
        current = await relationships.by_delegated_admin_relationship_id(wide_id).access_assignments.by_delegated_admin_access_assignment_id(
            assignment.id).get()

        # update-delegatedadminaccessassignment-python-snippets.md (If-Match from the GET; the raw
        # response is asked for to see 202 + Location, as the reference documents)
        request_body = DelegatedAdminAccessAssignment(
            access_details = DelegatedAdminAccessDetails(
                unified_roles = [
                    UnifiedRole(
                        role_definition_id = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
                    ),
                    UnifiedRole(
                        role_definition_id = "44367163-eba1-44c3-98af-f5787879f96a",
                    ),
                    UnifiedRole(
                        role_definition_id = "729827e3-9c14-49f7-bb1b-9608f156bbb8",
                    ),
                ],
            ),
        )
        request_configuration = RequestConfiguration()
        request_configuration.headers.add("If-Match", current.additional_data["@odata.etag"])
        request_configuration.options = [ResponseHandlerOption(NativeResponseHandler())]
        result = await graph_client_.tenant_relationships.delegated_admin_relationships.by_delegated_admin_relationship_id(wide_id).access_assignments.by_delegated_admin_access_assignment_id(assignment.id).patch(request_body, request_configuration = request_configuration)
        assert result.status_code == 202 and result.headers["Retry-After"]
        operation_id = result.headers["Location"].rsplit("/", 1)[1]
        operation = await relationships.by_delegated_admin_relationship_id(wide_id).operations.by_delegated_admin_relationship_operation_id(
            operation_id).get()
        assert operation.operation_type.value == "delegatedAdminAccessAssignmentUpdate" and operation.status.value == "succeeded"
        operations = await relationships.by_delegated_admin_relationship_id(wide_id).operations.get()
        assert operation_id in {o.id for o in operations.value}
        requests = await relationships.by_delegated_admin_relationship_id(relationship_id).requests.get()
        request = await relationships.by_delegated_admin_relationship_id(relationship_id).requests.by_delegated_admin_relationship_request_id(
            requests.value[0].id).get()
        assert request.status.value == "succeeded"

        customers = await graph_client_.tenant_relationships.delegated_admin_customers.get()
        assert [c.tenant_id for c in customers.value] == [NORTHWIND]
        customer = await graph_client_.tenant_relationships.delegated_admin_customers.by_delegated_admin_customer_id(NORTHWIND).get()
        assert customer.display_name == "Contoso Inc"
        details = await graph_client_.tenant_relationships.delegated_admin_customers.by_delegated_admin_customer_id(
            NORTHWIND).service_management_details.get()
        assert details.value and all(d.service_management_url.startswith(live_server.url) for d in details.value)

        await relationships.by_delegated_admin_relationship_id(wide_id).access_assignments.by_delegated_admin_access_assignment_id(
            assignment.id).delete(request_configuration=_if_match("*"))
        terminated = await relationships.by_delegated_admin_relationship_id(relationship_id).requests.post(
            DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.Terminate))
        assert terminated.status.value == "succeeded"
        ended = await relationships.by_delegated_admin_relationship_id(relationship_id).get()
        assert ended.status == DelegatedAdminRelationshipStatus.Terminated and ended.end_date_time <= ended.last_modified_date_time

        # the SDK reads every unknown path's error as Graph's (no "error body could not be parsed")
        beta = graph_client(live_server.url, token)
        beta.request_adapter.base_url = f"{live_server.url}/beta"
        assert len((await beta.tenant_relationships.delegated_admin_relationships.get()).value) == 2
        with pytest.raises(ODataError) as unknown:
            await graph_client_.users.get()
        assert unknown.value.response_status_code == 400 and unknown.value.error.code == "BadRequest"

    run(after_approval())
    assert DelegatedAdminGrant.objects.filter(partner=example_world["partner"].partner).count() == 2


def _if_match(value: str) -> Any:
    config = RequestConfiguration()
    config.headers.add("If-Match", value)
    return config
