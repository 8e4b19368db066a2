"""One permission mechanism (partners.authz): each action gives the same answer to the same actor on
every surface that offers it, and a refusal changes nothing.

Each row is (action, partner role for the console, API-key scopes for /api/v1 and Graph, expected).
A row runs through every surface that has the action: the partner console (Django test client
signed in as a member holding the role), /api/v1 and the Graph-compatible surface (a key holding
the scopes), the staff console and the customer admin center (their own actors, one row each).
"Allowed" is read from the data, not the status code: the action's rows changed. On a refusal the
response is 403/404 or a page (never a 500), and `snapshot()` is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from customers.choices import CustomerRole
from invitations.create_services import invitation_create
from invitations.models import Invitation
from notifications.models import WebhookSubscription
from partnercenter.directory_roles import BUNDLES
from partners.api_key_services import api_key_create
from partners.authz import CUSTOMER_GLOBAL_ADMIN, Actor, ActorKind, Permission, can
from partners.choices import PartnerRole
from partners.models import ApiKey, Partner, PartnerMembership, PartnerUserInvitation
from relationships.graph_ids import grant_graph_id
from relationships.models import AccessAssignment, CustomerNote, CustomerTag, DelegatedAdminGrant, Relationship
from servicerequests.models import ServiceRequest
from subscriptions.models import Subscription
from tests.factories import CustomerMembershipFactory, PartnerMembershipFactory, UserFactory
from tests.staff.users import OPERATOR, sign_in_to_admin, staff_user

HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()  # a page may have switched to a member's language: leave the default behind


@dataclass
class World:
    partner: Any
    admin: Any  # account admin: issues the keys
    customer: Any
    customer_admin: Any
    grant: DelegatedAdminGrant
    invitation: Invitation
    members: dict[str, Any]


@pytest.fixture
def world(partner_a, customer_a) -> World:  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    Relationship.objects.create(partner=partner, customer=customer_a.customer)
    now = timezone.now()
    grant = DelegatedAdminGrant.objects.create(
        partner=partner, customer=customer_a.customer, display_name="Northwind support", roles=[HELPDESK_ADMIN, USER_ADMIN],
        duration_days=30, status="active", starts_at=now, ends_at=now + timedelta(days=30),
        request_expires_at=now + timedelta(days=90))
    AccessAssignment.objects.create(grant=grant, partner_role="admin_agent", roles=[HELPDESK_ADMIN, USER_ADMIN])
    members = {role.value: PartnerMembershipFactory(partner=partner, roles=[role.value]) for role in PartnerRole}
    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="it@prospect.example")
    # Issue 24, item 5: a tag of the partner and a note its account admin wrote on the customer.
    CustomerTag.objects.create(partner=partner, name="VIP")
    CustomerNote.objects.create(partner=partner, customer=customer_a.customer, body="Written by the admin", author=partner_a.admin.user,
                                author_label=partner_a.admin.user.email)
    return World(partner=partner, admin=partner_a.admin, customer=customer_a.customer, customer_admin=customer_a.user,
                 grant=grant, invitation=invitation, members=members)


def snapshot(world: World) -> tuple[Any, ...]:
    """Every row an action in the table could write."""
    return (
        sorted(Invitation.objects.values_list("pk", "status")),
        sorted(DelegatedAdminGrant.objects.values_list("pk", "status")),
        sorted((a.grant_id, a.partner_role, tuple(a.roles)) for a in AccessAssignment.objects.all()),
        ServiceRequest.objects.count(),
        sorted(Subscription.objects.values_list("pk", "status", "quantity")),
        sorted(ApiKey.objects.values_list("pk", "revoked_at")),
        WebhookSubscription.objects.count(),
        sorted(PartnerMembership.objects.values_list("pk", "roles")),
        PartnerUserInvitation.objects.count(),
        sorted(CustomerTag.objects.values_list("pk", "name")),
        sorted(CustomerTag.customers.through.objects.values_list("customertag_id", "customer_id")),
        sorted(CustomerNote.objects.values_list("pk", "body")),
        sorted(Partner.objects.values_list("pk", "default_grant_duration_days", "invitation_reply_to")),
    )


# --- The surfaces ---------------------------------------------------------------------------


def console(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.members[role].user)
    return client


def key(world: World, scopes: list[str]) -> Client:
    issued = api_key_create(membership=world.admin, name=f"Key {'/'.join(scopes)} {ApiKey.objects.count()}", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")


def post_json(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def p(world: World, rest: str) -> str:
    return f"/p/{world.partner.partner_id}/{rest}"


Surface = Callable[[World, Client], Any]

# action -> surface -> callable(world, client of the actor) returning the response
ACTIONS: dict[str, dict[str, Surface]] = {
    "create invitation": {
        "console": lambda w, c: c.post(reverse("invitations:request", kwargs={"partner_id": w.partner.partner_id}),
                                                   {"language": "en"}),
        "api_v1": lambda w, c: post_json(c, "/api/v1/invitations", {"include_delegated_admin": False}),
    },
    "cancel invitation": {
        "console": lambda w, c: c.post(p(w, f"invitations/{w.invitation.pk}/cancel/")),
        "api_v1": lambda w, c: post_json(c, f"/api/v1/invitations/{w.invitation.pk}/cancel", {}),
    },
    "request delegated admin": {
        "console": lambda w, c: c.post(p(w, "delegated-admin/request/"), {
            "customer": str(w.customer.tenant_id), "bundle": "helpdesk", "duration_days": "30", "language": "en"}),
        "api_v1": lambda w, c: post_json(c, "/api/v1/grant-requests", {
            "customer_tenant_id": str(w.customer.tenant_id), "roles": list(BUNDLES["helpdesk"][1])}),
        "graph": lambda w, c: post_json(c, "/v1.0/tenantRelationships/delegatedAdminRelationships", {
            "displayName": "Table draft", "duration": "P30D", "customer": {"tenantId": str(w.customer.tenant_id)},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": HELPDESK_ADMIN}]}}),
    },
    "terminate delegated admin grant": {
        "console": lambda w, c: c.post(p(w, f"delegated-admin/{w.grant.pk}/"), {"action": "terminate", "reason": ""}),
        "api_v1": lambda w, c: post_json(c, f"/api/v1/grants/{w.grant.pk}/terminate", {"reason": ""}),
        "graph": lambda w, c: post_json(c, f"/v1.0/tenantRelationships/delegatedAdminRelationships/{grant_graph_id(w.grant)}/requests",
                                        {"action": "terminate"}),
    },
    "set access assignments": {
        "console": lambda w, c: c.post(p(w, f"delegated-admin/{w.grant.pk}/"), {
            "assign-admin_agent": [HELPDESK_ADMIN, USER_ADMIN], "assign-helpdesk_agent": [USER_ADMIN]}),
        "api_v1": lambda w, c: c.put(
            f"/api/v1/grants/{w.grant.pk}/access-assignments",
            json.dumps({"assignments": {"admin_agent": [HELPDESK_ADMIN, USER_ADMIN], "helpdesk_agent": [USER_ADMIN]}}),
            content_type="application/json", headers={"If-Match": "*"}),
        "graph": lambda w, c: post_json(
            c, f"/v1.0/tenantRelationships/delegatedAdminRelationships/{grant_graph_id(w.grant)}/accessAssignments",
            {"accessContainer": {"accessContainerId": "helpdesk_agent", "accessContainerType": "securityGroup"},
             "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}]}}),
    },
    "file service request": {
        "console": lambda w, c: c.post(reverse("service_requests:create", kwargs={"partner_id": w.partner.partner_id}), {
            "customer": str(w.customer.tenant_id), "title": "Mail bounces", "severity": "high", "description": "550 5.7.1"}),
        "api_v1": lambda w, c: post_json(c, "/api/v1/service-requests", {
            "customer_tenant_id": str(w.customer.tenant_id), "title": "Mail bounces", "description": "550 5.7.1"}),
    },
    "manage subscriptions": {
        "console": lambda w, c: c.post(p(w, f"customers/{w.customer.tenant_id}/subscriptions/"),
                                                   {"action": "provision", "product": "email-plan-1", "quantity": "3"}),
    },
    "manage API keys": {
        "console": lambda w, c: c.post(p(w, "settings/api-keys/"), {"name": "CI", "scopes": ["invitations:read"]}),
    },
    "manage webhooks": {
        "console": lambda w, c: c.post(p(w, "settings/webhooks/"), {
            "url": "http://127.0.0.1:9/hook", "event_types": ["invitation.accepted"]}),
        "api_v1": lambda w, c: post_json(c, "/api/v1/webhooks/subscriptions", {
            "url": "http://127.0.0.1:9/hook", "event_types": ["invitation.accepted"]}),
    },
    # Issue 24, item 5: private tags and notes on the partner's customers.
    "tag a customer": {
        "console": lambda w, c: c.post(p(w, f"customers/{w.customer.tenant_id}/tags/"), {"tags": "VIP, Renewal"}),
        "api_v1": lambda w, c: c.put(f"/api/v1/customers/{w.customer.tenant_id}/tags", json.dumps({"tags": ["VIP", "Renewal"]}),
                                     content_type="application/json"),
    },
    "write a customer note": {
        "console": lambda w, c: c.post(p(w, f"customers/{w.customer.tenant_id}/notes/"), {"body": "Call on Friday"}),
        "api_v1": lambda w, c: post_json(c, f"/api/v1/customers/{w.customer.tenant_id}/notes", {"body": "Call on Friday"}),
    },
    "edit someone else's customer note": {
        "console": lambda w, c: c.post(p(w, f"customers/{w.customer.tenant_id}/notes/{CustomerNote.objects.get().pk}/"),
                                       {"action": "edit", "body": "Changed"}),
        "api_v1": lambda w, c: c.patch(f"/api/v1/customers/{w.customer.tenant_id}/notes/{CustomerNote.objects.get().pk}",
                                       json.dumps({"body": "Changed"}), content_type="application/json"),
    },
    "rename a customer tag": {
        "console": lambda w, c: c.post(p(w, "customers/tags/"), {"tag": CustomerTag.objects.get().pk, "action": "rename", "name": "Gold"}),
    },
    # Issue 24, item 7: the partner's defaults.
    "change partner defaults": {
        "console": lambda w, c: c.post(p(w, "settings/defaults/"), {"bundle": "helpdesk", "duration_days": "90",
                                                                     "reply_to": "help@contoso.example", "signature": ""}),
        "api_v1": lambda w, c: c.patch("/api/v1/partner-settings", json.dumps({"default_duration_days": 90}),
                                       content_type="application/json"),
    },
    "manage users": {
        "console": lambda w, c: c.post(reverse("partners:users", kwargs={"partner_id": w.partner.partner_id}),
                                                   {"email": "new@contoso.example", "roles": ["sales_agent"], "language": "en"}),
    },
}

A, G, H, S, B = (PartnerRole.ACCOUNT_ADMIN.value, PartnerRole.ADMIN_AGENT.value, PartnerRole.HELPDESK_AGENT.value,
                 PartnerRole.SALES_AGENT.value, PartnerRole.BILLING_ADMIN.value)

# (action, console role, API-key scopes, allowed?)
TABLE: list[tuple[str, str, list[str], bool]] = [
    ("create invitation", S, ["invitations:write"], True),
    ("create invitation", A, ["invitations:write"], True),
    ("create invitation", H, ["invitations:read"], False),
    ("create invitation", B, ["customers:read"], False),
    ("cancel invitation", S, ["invitations:write"], True),
    ("cancel invitation", H, ["invitations:read"], False),
    ("cancel invitation", B, ["grants:write"], False),
    ("request delegated admin", G, ["grants:write"], True),
    ("request delegated admin", A, ["grants:write"], True),
    ("request delegated admin", S, ["grants:read"], False),
    ("request delegated admin", H, ["invitations:write"], False),
    ("terminate delegated admin grant", G, ["grants:write"], True),
    ("terminate delegated admin grant", A, ["grants:write"], True),
    ("terminate delegated admin grant", S, ["grants:read"], False),
    ("terminate delegated admin grant", H, ["relationships:write"], False),
    ("set access assignments", A, ["grants:write"], True),
    ("set access assignments", G, ["grants:read"], False),
    ("set access assignments", S, ["invitations:write"], False),
    ("file service request", G, ["service_requests:write"], True),
    ("file service request", S, ["service_requests:read"], False),
    ("file service request", B, ["grants:write"], False),
    ("manage subscriptions", G, [], True),
    ("manage subscriptions", S, [], True),
    ("manage subscriptions", A, [], False),
    ("manage subscriptions", H, [], False),
    ("manage API keys", A, [], True),
    ("manage API keys", G, [], False),
    ("manage webhooks", A, ["webhooks:manage"], True),
    ("manage webhooks", G, ["invitations:write"], False),
    ("manage webhooks", S, ["grants:write"], False),
    ("tag a customer", H, ["customers:write"], True),
    ("tag a customer", B, ["customers:read"], False),
    ("write a customer note", S, ["customers:write"], True),
    ("write a customer note", B, ["customers:read"], False),
    ("edit someone else's customer note", A, ["customers:write", "webhooks:manage"], True),
    ("edit someone else's customer note", S, ["customers:write"], False),
    ("edit someone else's customer note", G, [], False),
    ("rename a customer tag", A, [], True),
    ("rename a customer tag", G, [], True),
    ("rename a customer tag", S, [], False),
    ("rename a customer tag", H, [], False),
    ("change partner defaults", A, ["settings:manage"], True),
    ("change partner defaults", G, ["grants:write"], False),
    ("change partner defaults", S, ["customers:write"], False),
    ("change partner defaults", B, ["webhooks:manage"], False),
    ("manage users", A, [], True),
    ("manage users", G, [], False),
    ("manage users", H, [], False),
]

CASES = [
    pytest.param(action, surface, role, scopes, allowed, id=f"{action}-{surface}-{role if surface == 'console' else '+'.join(scopes)}")
    for action, role, scopes, allowed in TABLE
    for surface in ACTIONS[action]
    if surface == "console" or scopes
]


def assert_answer(world: World, before: tuple[Any, ...], response: Any, allowed: bool) -> None:
    assert response.status_code < 500, response.content[:400]
    changed = snapshot(world) != before
    if allowed:
        assert changed, (response.status_code, response.content[:600])
    else:
        assert not changed, "a refusal changed data"
        assert response.status_code in {200, 302, 400, 403, 404, 422}, response.status_code


@pytest.mark.parametrize(("action", "surface", "role", "scopes", "allowed"), CASES)
def test_same_answer_on_every_surface(world, action, surface, role, scopes, allowed):  # type: ignore[no-untyped-def]
    client = console(world, role) if surface == "console" else key(world, scopes)
    before = snapshot(world)
    response = ACTIONS[action][surface](world, client)
    assert_answer(world, before, response, allowed)


def test_table_covers_every_surface_of_each_action() -> None:
    """Each action has an allowed and a refused row, and graph rows exist where Graph has the action."""
    for action in ACTIONS:
        answers = {allowed for name, _r, _s, allowed in TABLE if name == action}
        assert answers == {True, False}, action
    assert {case.values[1] for case in CASES} == {"console", "api_v1", "graph"}


# --- The customer admin center and the staff console: grant termination, the same service --------


def run_staff_action(client: Client, model: Any, action: str, obj: Any, reason: str) -> Any:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client.post(url, {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [str(obj.pk)]})
    return client.post(url, {"action": action, "post": "yes", "reason": reason, ACTION_CHECKBOX_NAME: [str(obj.pk)]}, follow=True)


@pytest.mark.parametrize(("who", "allowed"), [("global_admin", True), ("user", False), ("other_tenant_admin", False)])
def test_customer_admin_center_terminates_through_the_same_rule(world, customer_b, who, allowed):  # type: ignore[no-untyped-def]
    if who == "global_admin":
        user = world.customer_admin
        tenant = world.customer
    elif who == "user":
        user = CustomerMembershipFactory(customer=world.customer, role=CustomerRole.USER, user=UserFactory()).user
        tenant = world.customer
    else:
        user, tenant = customer_b.user, customer_b.customer
    client = Client()
    client.force_login(user)
    before = snapshot(world)
    response = client.post(f"/c/{tenant.tenant_id}/partners/", {"action": "terminate", "grant": world.grant.pk, "reason": ""})
    assert_answer(world, before, response, allowed)


@pytest.mark.parametrize(("reason", "allowed"), [("Fraud report #12", True), ("   ", False)])
def test_staff_console_terminates_through_the_same_service(world, reason, allowed):  # type: ignore[no-untyped-def]
    client = Client()
    sign_in_to_admin(client, staff_user(group=OPERATOR, email="operator@partnercenter.example"))
    before = snapshot(world)
    response = run_staff_action(client, DelegatedAdminGrant, "terminate_grants", world.grant, reason)
    assert_answer(world, before, response, allowed)


# --- The rule itself, once per actor kind ------------------------------------------------------


def test_the_rule_table_answers_each_actor_kind(world) -> None:  # type: ignore[no-untyped-def]
    assert CUSTOMER_GLOBAL_ADMIN == CustomerRole.GLOBAL_ADMIN
    grant = world.grant
    agent = world.members[G]
    assert can(agent, Permission.TERMINATE_GRANT, grant)
    assert not can(world.members[S], Permission.TERMINATE_GRANT, grant)
    key_actor = PartnerMembership(partner=world.partner, user=world.admin.user, roles=[G])  # an API key's actor (unsaved)
    assert Actor.for_membership(key_actor).kind == ActorKind.API_KEY and can(key_actor, Permission.TERMINATE_GRANT, grant)
    customer = Actor.customer_user(user=world.customer_admin, customer_id=world.customer.pk, roles={CUSTOMER_GLOBAL_ADMIN})
    assert can(customer, Permission.TERMINATE_GRANT, grant) and can(customer, Permission.APPROVE_GRANT, grant)
    other_customer = Actor.customer_user(user=world.customer_admin, customer_id=world.customer.pk + 1000,
                                         roles={CUSTOMER_GLOBAL_ADMIN})
    assert not can(other_customer, Permission.TERMINATE_GRANT, grant)  # another tenant's grant: not found
    other_partner = PartnerMembershipFactory(roles=[A])
    assert not can(other_partner, Permission.TERMINATE_GRANT, grant)
    assert can(Actor.staff(staff_user(group=OPERATOR, email="op2@partnercenter.example")), Permission.TERMINATE_GRANT, grant)
    assert not can(Actor.staff(UserFactory()), Permission.TERMINATE_GRANT, grant)  # not is_staff
    assert not can(Actor.system(), Permission.TERMINATE_GRANT, grant)
