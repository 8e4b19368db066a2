"""For every operation in the schema: its scope is enforced (403), another partner's key sees
nothing of partner A (404 on A's objects, none of A's rows in lists), and the scope alone suffices."""

from __future__ import annotations

from typing import Any

import pytest

from partners.permissions import SCOPE_IMPLIES
from tests.api.conftest import ALL_SCOPES, KeyClient
from tests.api.operations import Operation, path_for, request_for, schema_operations

pytestmark = pytest.mark.django_db

OPERATIONS = schema_operations()


def call(client: Any, operation: Operation, objects: dict[str, Any]) -> Any:
    body, headers = request_for(operation, objects)
    method = getattr(client, operation.method)
    path = path_for(operation, objects)
    return method(path, **headers) if body is None else method(path, body, **headers)


def test_every_operation_names_its_scope() -> None:
    assert OPERATIONS
    assert [str(op) for op in OPERATIONS if not op.scope] == []


def without(scope: str) -> list[str]:
    implied_by = {str(w) for w, implied in SCOPE_IMPLIES.items() if scope in {str(s) for s in implied}}
    return [s for s in ALL_SCOPES if s != scope and s not in implied_by]


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_a_key_without_the_scope_gets_403(operation, api_objects, partner_a, client_for):  # type: ignore[no-untyped-def]
    response = call(client_for(partner_a.admin, without(operation.scope)), operation, api_objects)
    assert response.status_code == 403, (operation, response.content)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_the_scope_alone_allows_the_operation(operation, api_objects, partner_a, issue_key):  # type: ignore[no-untyped-def]
    key, token = issue_key(partner_a.admin, [operation.scope])
    objects = api_objects
    if operation.path.startswith("/api/v1/saved-views/{"):  # a key's saved views are its own (docs/api.md): one of this key's
        from partners.api_key_services import api_key_actor
        from partners.saved_view_services import saved_view_save

        objects = {**api_objects, "saved_view": saved_view_save(membership=api_key_actor(api_key=key), list_name="grants",
                                                                name="Mine", query_string="status=active")}
    response = call(KeyClient(token), operation, objects)
    assert response.status_code in {200, 201, 202, 204}, (operation, response.content)


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_another_partners_key_never_reaches_partner_a(operation, api_objects, partner_a, partner_b, client_for):  # type: ignore[no-untyped-def]
    """The IDOR sweep: partner B's key, holding every scope, aimed at partner A's objects."""
    objects = api_objects
    response = call(client_for(partner_b.admin), operation, objects)
    if operation.has_path_object:
        assert response.status_code == 404, (operation, response.content)
        assert response.json()["code"] == "not_found"
        return
    if operation.operation_id in {"grant_requests_create", "service_requests_create"}:  # names A's customer in the body
        assert response.status_code == 422 and response.json()["code"] == "not_your_customer"
        return
    if operation.operation_id == "invitation_batches_create":  # the sweep's row is in A's market, not B's
        assert response.status_code == 422 and response.json()["code"] == "invalid_rows"
        assert [e["code"] for e in response.json()["errors"]] == ["market_mismatch"]
        return
    if operation.operation_id == "customers_create":  # B's own new customer, or B's market rule refuses it
        assert response.status_code in {201, 422}, (operation, response.content)
    else:
        assert response.status_code < 300, (operation, response.content)
    if response.streaming:  # an export (issue 24, item 3): B's file holds none of A's rows
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        body = None
    elif response.status_code == 204 or not response.content:
        return
    else:
        body = response.json()
        text = response.content.decode()
    for marker in (objects["customer"].primary_domain, objects["customer"].company_name, str(objects["customer"].tenant_id),
                   objects["subscription"].url, objects["invitation"].recipient_email, objects["link_url"], partner_a.partner.name):
        assert marker not in text, (operation, marker)
    if isinstance(body, dict) and "results" in body:
        assert body["results"] == [], operation  # partner B owns nothing of these kinds here
