"""The malformed-input sweep (issue 18, item 8): every route of the URL configuration — partner
console, customer admin center, staff admin, /api/v1, Graph /v1.0, mailbox, acceptance and sign-in
pages — gets NUL bytes, 10k-char strings, non-UUIDs, non-numbers, negative and huge numbers, invalid
UTF-8, repeated keys, malformed JSON and wrong content types in every query parameter, form field,
JSON property and str path kwarg, signed in as the user the route is for. Every answer is under 500,
every 4xx says what was wrong, and a refused request writes no row."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from tests.api.operations import request_for, schema_operations
from tests.malformed import payloads
from tests.malformed.routes import Route, all_routes, fill, kwarg_names
from tests.malformed.sweeper import Sweeper, query_names_in_links
from tests.malformed.world import SweepWorld, values_for
from tests.staff.users import sign_in_to_admin

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROUTES = all_routes()
SURFACES = ("partner console", "customer admin center", "accept", "mailbox", "site", "sign-in", "api", "graph", "staff admin")
ANONYMOUS_SIGN_IN = {"account_login", "account_signup", "account_reset_password", "account_reset_password_done",
                     "account_reset_password_from_key", "account_reset_password_from_key_done", "account_inactive",
                     "account_confirm_login_code", "account_email_verification_sent", "account_confirm_email",
                     "mfa_authenticate"}
COVERAGE: dict[str, tuple[int, int]] = {}


def _normal(pattern: str) -> str:
    return re.sub(r"[\^$]|\\Z", "", pattern)


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sweep_html_route(sweeper: Sweeper, route: Route, path: str, values: dict[str, str]) -> None:
    baseline = sweeper.send("baseline", "get", path, route=route)
    names = set(payloads.KNOWN_QUERY_PARAMS)
    discovered: set[str] = set()
    if (baseline is not None and baseline.status_code == 200 and not baseline.streaming
            and "html" in baseline.get("Content-Type", "")):
        html = baseline.content.decode()
        discovered |= query_names_in_links(html, path)
        sweeper.forms(route, path, html, get_params=discovered)
    sweeper.query_params(route, path, names | discovered, one_by_one=discovered, short=not discovered)
    sweeper.path_kwargs(route, values)


def _html_sweep(world: SweepWorld, surface: str) -> Sweeper:
    user = {"partner console": world.partner_admin, "customer admin center": world.customer_admin,
            "accept": world.customer_admin, "mailbox": world.customer_admin, "site": world.partner_admin,
            "sign-in": world.partner_admin}[surface]
    sweeper = Sweeper(_signed_in(user))
    for route in [r for r in ROUTES if r.surface == surface]:
        values = values_for(world, route)
        path = fill(route, values)
        if route.name in ANONYMOUS_SIGN_IN:
            sweeper.client = Client()
        else:
            sweeper.client.force_login(user)
        if route.name == "invitation_review":  # the emailed link first: it puts the invitation in the session
            sweeper.client.get(world.invitation_path)
        elif route.name == "partner_user_invitation_review":
            sweeper.client.get(world.join_path)
        sweep_html_route(sweeper, route, path, values)
        if surface == "partner console" and route.name.startswith(("relationships:customer_users", "subscriptions:")):
            sweeper.client.force_login(world.partner_agent)  # an agent holding the grant's roles acts there
            sweep_html_route(sweeper, route, path, values)
            sweeper.client.force_login(user)
    return sweeper


def _api_sweep(world: SweepWorld) -> Sweeper:
    sweeper = Sweeper(Client(HTTP_AUTHORIZATION=f"Bearer {world.api_token}"))
    objects = {"customer": SimpleNamespace(tenant_id=world.kwargs["tenant_id"])}
    by_pattern = {_normal(r.pattern): r for r in ROUTES if r.surface == "api"}
    ids = {"/api/v1/invitations/": "invitation-detail", "/api/v1/grants/": "grant-detail",
           "/api/v1/relationships/": "relationship-detail", "/api/v1/webhooks/subscriptions/": "webhook-subscription-detail",
           "/api/v1/webhooks/deliveries/": "webhook-delivery-detail", "/api/v1/service-requests/": "service-request-detail",
           "/api/v1/invitation-batches/": "invitation-batch-detail",
           "/api/v1/delegated-admin-batches/": "delegated-admin-batch-detail",
           "/api/v1/saved-views/": "saved-view-detail"}  # issue 24, item 3: the sweep key's own view
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for operation in schema_operations():
        path = (operation.path.replace("{tenant_id}", world.kwargs["tenant_id"])
                .replace("{object_id}", world.kwargs["object_id"]).replace("{member_id}", world.kwargs["member_id"])
                .replace("{note_id}", world.kwargs["note_id"]))
        for prefix, name in ids.items():
            if path.startswith(prefix):
                path = path.replace("{id}", world.pks[name])
        route = by_pattern[_normal(resolve(path).route)]
        body, headers = request_for(operation, objects)
        spec = schema["paths"][operation.path][operation.method]
        query = [p["name"] for p in spec.get("parameters", []) if p.get("in") == "query"]
        if operation.method == "get":
            sweeper.query_params(route, path, set(query) | set(payloads.KNOWN_QUERY_PARAMS), one_by_one=query)
        else:
            sweeper.json_bodies(route, operation.method, path, body or {}, headers,
                                also=schema_properties(schema, spec) - set(body or {}))
        if operation.has_path_object:  # the id segment itself: the router's regex refuses what is not digits/uuid
            for label in payloads.TEXT_SHORT:
                value = payloads.TEXT[label]
                bad = re.sub(r"/(\d+|[0-9a-f-]{36})(?=/|$)", "/" + re.sub(r"[^A-Za-z0-9-]", "_", value[:80]), path, count=1)
                sweeper.send(f"path id={label}", operation.method, bad, headers=headers, route=route)
    for route in by_pattern.values():  # schema, docs, the not-found catch-all
        if route.name.rsplit(":", 1)[-1] in {"schema", "swagger", "redoc", "not-found"}:
            path = "/api/v1/no-such-thing" if route.name.endswith("not-found") else fill(route, {})
            sweeper.query_params(route, path, payloads.KNOWN_QUERY_PARAMS, short=True)
    return sweeper


def schema_properties(schema: dict[str, Any], spec: dict[str, Any]) -> set[str]:
    """The JSON body's property names the OpenAPI schema declares for the operation."""
    content = spec.get("requestBody", {}).get("content", {}).get("application/json", {})
    body = content.get("schema", {})
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return set(body.get("properties", {}))


GRAPH_BASE = "/v1.0/tenantRelationships/delegatedAdminRelationships"


def _graph_sweep(world: SweepWorld) -> Sweeper:
    sweeper = Sweeper(Client(HTTP_AUTHORIZATION=f"Bearer {world.api_token}"))
    valid_relationship = {"displayName": "Sweep users", "duration": "P730D",
                          "customer": {"tenantId": world.kwargs["tenant_id"]},
                          "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "fe930be7-5e62-47db-91af-98c3a49a38b1"}]}}
    bodies = {"graph_relationships": ("post", valid_relationship),
              "graph_relationship": ("patch", {"displayName": "Renamed"}),
              "graph_requests": ("post", {"action": "lockForApproval"}),
              "graph_assignments": ("post", {"accessContainer": {"accessContainerId": "x", "accessContainerType": "securityGroup"},
                                             "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "x"}]}}),
              "graph_assignment": ("patch", {"accessDetails": {"unifiedRoles": []}})}
    for route in [r for r in ROUTES if r.surface == "graph"]:
        values = values_for(world, route)
        path = fill(route, values)
        sweeper.send("baseline", "get", path, route=route)
        collection = route.name in {"graph_relationships", "graph_requests", "graph_operations", "graph_assignments",
                                    "graph_customers", "pc_relationship_requests"}
        sweeper.query_params(route, path, payloads.KNOWN_QUERY_PARAMS, short=not collection,
                             one_by_one=("$filter", "$top", "$skiptoken", "$orderby", "$count") if collection else ())
        if route.name in bodies:
            method, valid = bodies[route.name]
            sweeper.json_bodies(route, method, path, valid, {"HTTP_IF_MATCH": "*"})
        methods = ("get", "patch", "delete") if route.name in {"graph_relationship", "graph_assignment"} else ("get",)
        sweeper.path_kwargs(route, values, methods=methods)
    return sweeper


def _admin_sweep(world: SweepWorld) -> Sweeper:
    client = Client()
    sign_in_to_admin(client, world.staff)
    sweeper = Sweeper(client, per_field=False)
    for route in [r for r in ROUTES if r.surface == "staff admin"]:
        values = values_for(world, route)
        path = fill(route, values)
        baseline = sweeper.send("baseline", "get", path, route=route)
        discovered: set[str] = set()
        if baseline is not None and baseline.status_code == 200 and not baseline.streaming:
            html = baseline.content.decode()
            discovered = query_names_in_links(html, path)
            sweeper.forms(route, path, html, get_params=discovered)
        # The changelist reads its filters, search, ordering and page; the other pages read only their object.
        # (NUL in any parameter is refused by the site itself, staff.admin_site: each filter alone gets a non-number.)
        if route.name.endswith("_changelist"):
            sweeper.query_params(route, path, set(payloads.KNOWN_QUERY_PARAMS) | discovered, one_by_one=discovered,
                                 each=("not a number",))
        elif not route.name.endswith(("_history", "_delete")) and route.name != "admin:":  # those read the object as change does
            sweeper.query_params(route, path, set(payloads.KNOWN_QUERY_PARAMS) | discovered, only=("nul byte",))
        if route.name.endswith("_change"):  # history, delete and the bare redirect read the object the same way
            sweeper.path_kwargs(route, values)
    return sweeper


@pytest.mark.parametrize("surface", SURFACES)
def test_malformed_input_never_breaks_a_route(surface, world):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    if surface == "api":
        sweeper = _api_sweep(world)
    elif surface == "graph":
        sweeper = _graph_sweep(world)
    elif surface == "staff admin":
        sweeper = _admin_sweep(world)
    else:
        sweeper = _html_sweep(world, surface)
    COVERAGE[surface] = (len(sweeper.routes), sweeper.requests)
    print(f"\n{surface}: {len(sweeper.routes)} routes, {sweeper.requests} requests, {time.monotonic() - started:.1f}s")
    busiest = sorted(sweeper.per_route.items(), key=lambda item: -item[1])[:5]
    print("  busiest routes: " + ", ".join(f"{pattern} {n}" for pattern, n in busiest))
    assert sorted({r.pattern for r in ROUTES if r.surface == surface} - sweeper.routes) == []  # none left out
    assert sweeper.failures == [], "\n".join(sweeper.failures[:200]) + f"\n({len(sweeper.failures)} failures)"


def test_every_route_is_swept(world):  # type: ignore[no-untyped-def]
    """A route the world cannot aim at (a kwarg it does not know) would be silently skipped: fail instead."""
    unknown = []
    for route in ROUTES:
        try:
            fill(route, values_for(world, route))
        except KeyError as missing:
            unknown.append(f"{route} ({missing}; kwargs {kwarg_names(route)})")
    assert unknown == []
    assert {r.surface for r in ROUTES} <= set(SURFACES)
