"""Microsoft's published examples (tests/graphcompat/microsoft_examples.py), sent verbatim over plain HTTP:
the whole delegatedAdminRelationship family, on /v1.0 and on /beta, each response carrying every
documented property with its documented type. What still differs is asserted as such (and listed in
docs/graph.md)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.graphcompat import microsoft_examples as ms

pytestmark = pytest.mark.django_db

RELATIONSHIP_PATH = re.compile(r"(delegatedAdminRelationships/)[0-9a-f-]{73}")
ITEM_PATH = re.compile(r"(/(?:requests|operations|accessAssignments)/)[0-9a-f-]{36,37}")


class Graph:
    """An integrator's HTTP client: Microsoft's request with only host, token, ids and If-Match changed."""

    def __init__(self, token: str, version: str = "v1.0") -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        self.version = version

    def path(self, example: ms.Example, relationship_id: str | None = None, item_id: str | None = None) -> str:
        path = re.sub(r"^https://(graph|api\.partnercenter)\.microsoft\.com", "", example.url)
        path = path.replace("/v1.0/", f"/{self.version}/", 1)
        if relationship_id:
            path = RELATIONSHIP_PATH.sub(lambda m: m.group(1) + relationship_id, path)
        if item_id:
            path = ITEM_PATH.sub(lambda m: m.group(1) + item_id, path)
        return path

    def send(self, example: ms.Example, *, relationship_id: str | None = None, item_id: str | None = None,
             if_match: str | None = None) -> Any:
        headers = {"If-Match": if_match} if if_match else {}
        method = getattr(self.client, example.method.lower())
        path = self.path(example, relationship_id, item_id)
        if example.body is None:
            return method(path, headers=headers)
        return method(path, example.body, content_type="application/json", headers=headers)

    def follow(self, url: str) -> Any:
        return self.client.get(url.removeprefix("http://testserver"))


def entity_ok(response: Any, odata_type: str) -> dict[str, Any]:
    body = response.json()
    assert ms.problems(body, odata_type) == [], (odata_type, body)
    context = body["@odata.context"]
    assert re.match(r"^http://testserver/(v1\.0|beta)/tenantRelationships/\$metadata#\w+(/[\w$-]+)*$", context), context
    if "@odata.etag" in body:
        assert response["ETag"] == body["@odata.etag"]
    return body


def collection_ok(response: Any, odata_type: str) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["@odata.context"].startswith("http://testserver/") and "/tenantRelationships/$metadata#" in body["@odata.context"]
    for item in body["value"]:
        assert ms.problems(item, odata_type) == [], (odata_type, item)
    return body["value"]


def approve(grant_id: str, customer: Any) -> None:
    """The customer's global admin approves at the emailed link (the portal, not a Graph call)."""
    browser = Client()
    browser.force_login(customer.memberships.get().user)
    assert browser.post(f"/c/{customer.tenant_id}/granularAdminRelationships/{grant_id}", {"action": "approve"}).status_code == 302


@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_microsofts_examples_run_verbatim(example_world, version) -> None:  # type: ignore[no-untyped-def]
    graph = Graph(example_world["token"], version)
    relationship = "#microsoft.graph.delegatedAdminRelationship"
    worked: list[str] = []

    # Create: 201, Location that answers, the customer's displayName as sent, the roles outside the old catalog.
    created = graph.send(ms.CREATE_RELATIONSHIP)
    assert created.status_code == 201, created.content
    draft = entity_ok(created, relationship)
    sent = json.loads(ms.CREATE_RELATIONSHIP.body)
    assert draft["customer"] == sent["customer"] and draft["accessDetails"] == sent["accessDetails"]
    assert (draft["status"], draft["duration"], draft["autoExtendDuration"]) == ("created", "P730D", "P180D")
    assert graph.follow(created["Location"]).json()["id"] == draft["id"]
    worked.append("create relationship")

    listed = collection_ok(graph.send(ms.LIST_RELATIONSHIPS), relationship)
    assert [r["id"] for r in listed] == [draft["id"]]
    worked.append("list relationships")
    fetched = graph.send(ms.GET_RELATIONSHIP, relationship_id=draft["id"])
    assert fetched.status_code == 200
    entity_ok(fetched, relationship)
    worked.append("get relationship")

    updated = graph.send(ms.UPDATE_RELATIONSHIP, relationship_id=draft["id"], if_match=fetched["ETag"])
    assert updated.status_code == 200, updated.content
    changed = entity_ok(updated, relationship)
    assert changed["displayName"] == "Updated Contoso admin relationship" and changed["duration"] == "P31D"
    assert changed["customer"] == {"tenantId": "52eaad04-13a2-4a2f-9ce8-93a294fadf36", "displayName": "Contoso Inc"}
    assert {r["roleDefinitionId"] for r in changed["accessDetails"]["unifiedRoles"]} == {
        r["roleDefinitionId"] for r in json.loads(ms.UPDATE_RELATIONSHIP.body)["accessDetails"]["unifiedRoles"]}
    worked.append("update relationship")

    locked = graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=draft["id"])
    assert locked.status_code == 201, locked.content
    request = entity_ok(locked, "#microsoft.graph.delegatedAdminRelationshipRequest")
    assert graph.follow(locked["Location"]).json()["id"] == request["id"]
    worked.append("create request (lockForApproval)")
    assert [r["id"] for r in collection_ok(graph.send(ms.LIST_REQUESTS, relationship_id=draft["id"]),
                                           "#microsoft.graph.delegatedAdminRelationshipRequest")] == [request["id"]]
    worked.append("list requests")
    assert graph.send(ms.GET_REQUEST, relationship_id=draft["id"], item_id=request["id"]).status_code == 200
    worked.append("get request")

    approve(draft["id"], example_world["customers"]["52eaad04-13a2-4a2f-9ce8-93a294fadf36"])
    active = entity_ok(graph.send(ms.GET_RELATIONSHIP, relationship_id=draft["id"]), relationship)
    assert active["status"] == "active" and active["activatedDateTime"] and active["endDateTime"]

    # Access assignments run on a relationship granting every role the assignment examples name (one
    # relationship of Microsoft's pages has them all; each page shows a different one).
    wide_body = {"displayName": "Contoso assignments", "duration": "P730D", "customer": {"tenantId": "52eaad04-13a2-4a2f-9ce8-93a294fadf36"},
                 "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in (
                     "29232cdf-9323-42fd-ade2-1d097af3e4de", "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "729827e3-9c14-49f7-bb1b-9608f156bbb8",
                     "3a2c62db-5318-420d-8d74-23affee5d9d5", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "44367163-eba1-44c3-98af-f5787879f96a")]}}
    wide = graph.client.post(graph.path(ms.CREATE_RELATIONSHIP), json.dumps(wide_body), content_type="application/json").json()["id"]
    assert graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=wide).status_code == 201
    approve(wide, example_world["customers"]["52eaad04-13a2-4a2f-9ce8-93a294fadf36"])

    # Microsoft's create example names a security group by object id: the partner's group with that id
    # (example_world) becomes the access container, as published.
    assignment_created = graph.send(ms.CREATE_ASSIGNMENT, relationship_id=wide)
    assert assignment_created.status_code == 201, assignment_created.content
    assignment = entity_ok(assignment_created, "#microsoft.graph.delegatedAdminAccessAssignment")
    assert assignment["status"] == "pending"
    assert assignment["accessContainer"] == json.loads(ms.CREATE_ASSIGNMENT.body)["accessContainer"]
    followed = graph.follow(assignment_created["Location"])  # Location answers, and its ETag is the one POST gave
    assert followed.status_code == 200 and followed["ETag"] == assignment_created["ETag"] == assignment["@odata.etag"]
    worked.append("create access assignment")
    # The same group again is refused (change that assignment instead); a partner role still works (legacy).
    assert graph.send(ms.CREATE_ASSIGNMENT, relationship_id=wide).status_code == 400
    own = {"accessContainer": {"accessContainerId": "account_admin", "accessContainerType": "securityGroup"},
           "accessDetails": json.loads(ms.CREATE_ASSIGNMENT.body)["accessDetails"]}
    by_role = graph.client.post(graph.path(ms.CREATE_ASSIGNMENT, wide), json.dumps(own), content_type="application/json")
    assert by_role.status_code == 201 and by_role.json()["accessContainer"]["accessContainerId"] == "account_admin", by_role.content

    assignments = collection_ok(graph.send(ms.LIST_ASSIGNMENTS, relationship_id=wide), "#microsoft.graph.delegatedAdminAccessAssignment")
    assert assignment["id"] in {a["id"] for a in assignments}
    worked.append("list access assignments")
    current = graph.send(ms.GET_ASSIGNMENT, relationship_id=wide, item_id=assignment["id"])
    assert entity_ok(current, "#microsoft.graph.delegatedAdminAccessAssignment")["status"] == "active"
    worked.append("get access assignment")

    accepted = graph.send(ms.UPDATE_ASSIGNMENT, relationship_id=wide, item_id=assignment["id"], if_match=current["ETag"])
    assert accepted.status_code == 202 and accepted["Retry-After"] and "/operations/" in accepted["Location"], accepted.content
    operation = entity_ok(graph.follow(accepted["Location"]), "#microsoft.graph.delegatedAdminRelationshipOperation")
    assert (operation["operationType"], operation["status"]) == ("delegatedAdminAccessAssignmentUpdate", "succeeded")
    after = graph.send(ms.GET_ASSIGNMENT, relationship_id=wide, item_id=assignment["id"]).json()
    assert {r["roleDefinitionId"] for r in after["accessDetails"]["unifiedRoles"]} == {
        "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "44367163-eba1-44c3-98af-f5787879f96a", "729827e3-9c14-49f7-bb1b-9608f156bbb8"}
    worked.append("update access assignment")

    operations = collection_ok(graph.send(ms.LIST_OPERATIONS, relationship_id=wide),
                               "#microsoft.graph.delegatedAdminRelationshipOperation")
    assert operation["id"] in {o["id"] for o in operations}
    worked.append("list operations")
    assert graph.send(ms.GET_OPERATION, relationship_id=wide, item_id=operation["id"]).status_code == 200
    worked.append("get operation")

    gone = graph.send(ms.DELETE_ASSIGNMENT, relationship_id=wide, item_id=assignment["id"],
                      if_match=graph.send(ms.GET_ASSIGNMENT, relationship_id=wide, item_id=assignment["id"])["ETag"])
    assert gone.status_code == 204
    worked.append("delete access assignment")

    customers = collection_ok(graph.send(ms.LIST_CUSTOMERS), "#microsoft.graph.delegatedAdminCustomer")
    assert [c["tenantId"] for c in customers] == ["52eaad04-13a2-4a2f-9ce8-93a294fadf36"]
    worked.append("list delegatedAdminCustomers")

    # The customers example's tenant: give it an active relationship of its own first.
    third = graph.client.post(graph.path(ms.CREATE_RELATIONSHIP), json.dumps(
        {"displayName": "Customers example", "duration": "P30D", "customer": {"tenantId": "4fdbff88-9d6b-42e0-9713-45c922ba8001"},
         "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"}]}}), content_type="application/json")
    graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=third.json()["id"])
    approve(third.json()["id"], example_world["customers"]["4fdbff88-9d6b-42e0-9713-45c922ba8001"])
    customer = entity_ok(graph.send(ms.GET_CUSTOMER), "#microsoft.graph.delegatedAdminCustomer")
    assert customer["tenantId"] == "4fdbff88-9d6b-42e0-9713-45c922ba8001"
    worked.append("get delegatedAdminCustomer")
    details = collection_ok(graph.send(ms.LIST_SERVICE_DETAILS), "#microsoft.graph.delegatedAdminServiceManagementDetail")
    assert details and all(d["serviceManagementUrl"].startswith("http://testserver/p/") for d in details)
    worked.append("list serviceManagementDetails")

    terminated = graph.send(ms.TERMINATE, relationship_id=draft["id"])
    assert terminated.status_code == 201 and terminated.json()["status"] == "succeeded"
    ended = entity_ok(graph.send(ms.GET_RELATIONSHIP, relationship_id=draft["id"]), relationship)
    assert ended["status"] == "terminated" and ended["endDateTime"] <= ended["lastModifiedDateTime"]
    assert {a["status"] for a in graph.send(ms.LIST_ASSIGNMENTS, relationship_id=draft["id"]).json()["value"]} <= {"deleted"}
    worked.append("create request (terminate)")

    # Delete: a draft only (as in Graph); the example is the request, sent verbatim.
    doomed = graph.client.post(graph.path(ms.CREATE_RELATIONSHIP), json.dumps({**sent, "displayName": "Short-lived"}),
                               content_type="application/json").json()
    deleted = graph.send(ms.DELETE_RELATIONSHIP, relationship_id=doomed["id"], if_match=doomed["@odata.etag"])
    assert deleted.status_code == 204
    worked.append("delete relationship")

    link = graph.client.get(graph.path(ms.PARTNER_CENTER_LINK).replace(f"/{version}/", "/v1/"))
    assert link.status_code == 200 and link.json()["attributes"] == {"objectType": "RelationshipRequest"}
    worked.append("Partner Center relationshiprequests")

    # All 20 documented operations run as published.
    assert len(worked) == 20, worked


def test_customer_is_optional_until_lock_for_approval(example_world) -> None:  # type: ignore[no-untyped-def]
    graph = Graph(example_world["token"])
    body = {key: value for key, value in json.loads(ms.CREATE_RELATIONSHIP.body).items() if key != "customer"}
    created = graph.client.post(graph.path(ms.CREATE_RELATIONSHIP), json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    draft = entity_ok(created, "#microsoft.graph.delegatedAdminRelationship")
    assert draft["customer"] is None
    refused = graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=draft["id"])
    assert refused.status_code == 400 and "customer" in refused.json()["error"]["message"].lower()
    named = graph.client.patch(graph.path(ms.GET_RELATIONSHIP, draft["id"]),
                               json.dumps({"customer": {"tenantId": "4b827261-d21f-4aa9-b7db-7fa1f56fb163"}}),
                               content_type="application/json", headers={"If-Match": created["ETag"]})
    assert named.status_code == 200 and named.json()["customer"]["displayName"] == "Contoso subsidiary Inc"
    assert graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=draft["id"]).status_code == 201
    # the console and /api/v1 never list a draft without a customer; with one, they do
    assert Client(HTTP_AUTHORIZATION=f"Bearer {example_world['token']}").get("/api/v1/grants").status_code in (200, 404)


@pytest.mark.parametrize("path", [
    "/v1.0/nope", "/v1.0/tenantRelationships/nope", "/v1.0/tenantRelationships/delegatedAdminRelationships/x/nope",
    "/beta/nope", "/beta/tenantRelationships/delegatedAdminRelationships/x/y/z", "/v1/nope", "/v1.0/users",
])
def test_every_unknown_path_answers_graphs_json_error(example_world, path) -> None:  # type: ignore[no-untyped-def]
    graph = Graph(example_world["token"])
    for method in ("get", "post", "patch", "delete"):
        response = getattr(graph.client, method)(path, headers={"client-request-id": "cr-1"})
        assert response["Content-Type"] == "application/json", (method, path)
        error = response.json()["error"]
        assert response.status_code == 400 and error["code"] == "BadRequest" and path.rsplit("/", 1)[-1] in error["message"]
        assert error["innerError"]["client-request-id"] == "cr-1"
    anonymous = Client().get(path)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_count_select_filter_and_single_item_options(example_world) -> None:  # type: ignore[no-untyped-def]
    graph = Graph(example_world["token"])
    base = "/v1.0/tenantRelationships/delegatedAdminRelationships"
    draft = graph.send(ms.CREATE_RELATIONSHIP).json()
    count = graph.client.get(f"{base}/$count")
    assert count.status_code == 200 and count.content == b"1" and count["Content-Type"].startswith("text/plain")
    assert graph.client.get(f"{base}/$count?$filter=status eq 'active'").content == b"0"
    assert graph.client.get("/beta/tenantRelationships/delegatedAdminRelationships/$count").content == b"1"
    for collection in ("requests", "operations", "accessAssignments"):
        assert graph.client.get(f"{base}/{draft['id']}/{collection}/$count").content == b"0"
    assert graph.client.get("/v1.0/tenantRelationships/delegatedAdminCustomers/$count").content == b"0"
    assert graph.client.get(f"{base}/$count?$top=1").status_code == 400

    selected = graph.client.get(f"{base}?$select=id,displayName").json()["value"][0]
    assert set(selected) == {"@odata.type", "@odata.etag", "id", "displayName"}
    one = graph.client.get(f"{base}/{draft['id']}?$select=status")
    assert set(one.json()) == {"@odata.type", "@odata.context", "@odata.etag", "status"}
    assert one.json()["@odata.etag"] == graph.send(ms.GET_RELATIONSHIP, relationship_id=draft["id"]).json()["@odata.etag"]
    for bad in ("$top=1", "$expand=operations", "foo=bar", "$select=nope"):
        refused = graph.client.get(f"{base}/{draft['id']}?{bad}")
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalidRequest", bad

    graph.send(ms.LOCK_FOR_APPROVAL, relationship_id=draft["id"])
    requests = f"{base}/{draft['id']}/requests"
    assert len(graph.client.get(f"{requests}?$filter=status eq 'succeeded' and action eq 'lockForApproval'").json()["value"]) == 1
    assert graph.client.get(f"{requests}?$filter=action eq 'terminate'").json()["value"] == []
    for bad in ("status eq 'bogus'", "action eq 'approveAll'", "displayName eq 'x'"):
        assert graph.client.get(f"{requests}?$filter={bad}").status_code == 400, bad
    assignments = f"{base}/{draft['id']}/accessAssignments"
    assert graph.client.get(f"{assignments}?$filter=status eq 'active'").json()["value"] == []
    assert graph.client.get(f"{assignments}?$filter=accessContainer/accessContainerId eq 'admin_agent'").status_code == 200
    assert graph.client.get(f"{assignments}?$filter=status eq 'bogus'").status_code == 400
    assert graph.client.get(f"{base}?$filter=status eq 'bogus'").status_code == 400


def test_refused_and_catalog_roles(example_world) -> None:  # type: ignore[no-untyped-def]
    graph = Graph(example_world["token"])
    body = json.loads(ms.CREATE_RELATIONSHIP.body)
    tier2 = {**body, "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8"}]}}
    refused = graph.client.post(graph.path(ms.CREATE_RELATIONSHIP), json.dumps(tier2), content_type="application/json")
    assert refused.status_code == 400 and "Partner Tier2 Support" in refused.json()["error"]["message"]
    global_admin = {**body, "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10"}]}}
    assert graph.client.post(graph.path(ms.CREATE_RELATIONSHIP), json.dumps(global_admin),
                             content_type="application/json").status_code == 400  # auto-extend with Global Administrator
