"""Graph's `approve` and `reject` request actions (issue 23): Microsoft documents them for an indirect
reseller answering a relationship an indirect provider created for it (resellerDelegatedAdminRelationship,
api-reference/v1.0/resources/delegatedadminrelationshiprequest.md). partnercenter has no indirect
relationships and a customer approves in its admin center, so every approve/reject is Graph's JSON error
400 `notAllowed` (Graph's "The action is not allowed by the system", concepts/errors.md), over raw HTTP
and through msgraph-sdk, and nothing is recorded."""

from __future__ import annotations

import json

import pytest
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.delegated_admin_relationship_request import DelegatedAdminRelationshipRequest
from msgraph.generated.models.delegated_admin_relationship_request_action import DelegatedAdminRelationshipRequestAction

from audit.models import AuditEvent
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant
from tests.graphcompat import microsoft_examples as ms
from tests.graphcompat.conftest import graph_client
from tests.graphcompat.test_microsoft_examples import Graph
from tests.graphcompat.test_msgraph_sdk import DIRECTORY_READERS, relationship_body, run

pytestmark = pytest.mark.django_db


def test_approve_and_reject_answer_graphs_not_allowed_and_change_nothing(example_world) -> None:  # type: ignore[no-untyped-def]
    graph = Graph(example_world["token"])
    draft = graph.send(ms.CREATE_RELATIONSHIP).json()
    assert graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=draft["id"]).status_code == 201
    path = graph.path(ms.LOCK_FOR_APPROVAL, draft["id"])
    events = AuditEvent.objects.count()
    for action in ("approve", "reject"):
        refused = graph.client.post(path, json.dumps({"action": action}), content_type="application/json")
        assert refused.status_code == 400, refused.content
        error = refused.json()["error"]
        assert error["code"] == "notAllowed" and "indirect reseller" in error["message"] and "admin center" in error["message"]
        assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    for other in ("unknownFutureValue", "approveAll", None):
        assert graph.client.post(path, json.dumps({"action": other}), content_type="application/json").json()["error"]["code"] == "invalidRequest"
    assert AuditEvent.objects.count() == events
    listed = graph.send(ms.LIST_REQUESTS, relationship_id=draft["id"]).json()["value"]
    assert [r["action"] for r in listed] == ["lockForApproval"]
    assert graph.send(ms.GET_RELATIONSHIP, relationship_id=draft["id"]).json()["status"] == "approvalPending"


@pytest.mark.django_db(transaction=True)
def test_the_sdk_raises_the_graph_error_for_approve(live_server, graph_world) -> None:  # type: ignore[no-untyped-def]
    world = graph_world

    async def approve_by_partner() -> APIError:
        client = graph_client(live_server.url, world.token)
        relationships = client.tenant_relationships.delegated_admin_relationships
        created = await relationships.post(relationship_body(world, "Self-approval attempt", DIRECTORY_READERS))
        requests = relationships.by_delegated_admin_relationship_id(created.id).requests
        await requests.post(DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.LockForApproval))
        try:
            await requests.post(DelegatedAdminRelationshipRequest(action=DelegatedAdminRelationshipRequestAction.Approve))
        except APIError as error:
            return error
        raise AssertionError("approve was accepted")

    error = run(approve_by_partner())
    assert error.response_status_code == 400
    assert error.error.code == "notAllowed"  # type: ignore[attr-defined]
    assert DelegatedAdminGrant.objects.get(display_name="Self-approval attempt").status == GrantStatus.APPROVAL_PENDING
