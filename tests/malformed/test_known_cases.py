"""The malformed inputs issue 18 found answering 500, each answered now with a 4xx that says why
and without writing anything."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.malformed.checks import row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def refused(response, *words: str, status: int = 400) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    assert response.status_code == status, body[:500]
    for word in words:
        assert word in body, (word, body[:2000])
    return body


@pytest.mark.parametrize("param", ["q", "country"])
def test_a_nul_byte_in_the_customers_search_is_a_400_that_names_the_parameter(world, param):
    client = signed_in(world.partner_admin)
    before = row_counts()
    refused(client.get(f"/p/{world.kwargs['partner_id']}/customers/", {param: "north\x00wind"}),
            f"“{param}” contains a NUL character")
    assert row_counts() == before


@pytest.mark.parametrize("param", ["q", "customer", "status"])
def test_a_nul_byte_in_the_service_requests_filter_is_a_400(world, param):
    refused(signed_in(world.partner_admin).get(f"/p/{world.kwargs['partner_id']}/service-requests/", {param: "a\x00"}),
            "NUL character")


def test_a_nul_byte_in_the_mailbox_search_is_a_400(world):
    refused(signed_in(world.customer_admin).get("/mailbox/", {"to": "it\x00@northwind.example"}), "“to” contains a NUL character")


def test_a_nul_byte_in_a_graph_filter_is_an_invalid_request(world):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.api_token}", raise_request_exception=False)
    response = client.get("/v1.0/tenantRelationships/delegatedAdminRelationships",
                          {"$filter": "displayName eq 'a\x00'"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"
    assert "NUL" in response.json()["error"]["message"]


def test_accepting_with_a_tenant_that_is_not_a_uuid_re_renders_the_page_with_the_error(world):
    client = signed_in(world.customer_admin)
    assert client.get(world.invitation_path).status_code == 302
    before = row_counts()
    refused(client.post("/r/", {"action": "accept", "tenant": "not-a-uuid", "signer_name": "IT", "agreement_accepted": "on"}),
            "Choose one of your tenants")
    assert row_counts() == before


def test_the_request_form_refuses_a_malformed_domain_as_the_api_does(world):
    client = signed_in(world.partner_admin)
    before = row_counts()
    refused(client.post(f"/p/{world.kwargs['partner_id']}/customers/request/",
                        {"include_delegated_admin": "on", "target_domain": "a..example", "language": "en"}),
            "Enter a valid domain name.", status=200)  # the form again, with the field's error
    assert row_counts() == before
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world.api_token}")
    response = api.post("/api/v1/invitations", {"target_domain": "a..example"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"] == "Enter a valid domain name."


def test_deleting_a_webhook_subscription_with_a_non_numeric_id_is_a_400(world):
    client = signed_in(world.partner_admin)
    before = row_counts()
    refused(client.post(f"/p/{world.kwargs['partner_id']}/settings/webhooks/", {"action": "delete", "subscription": "1x"}),
            "“subscription” must be the id of an existing item")
    assert row_counts() == before


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "1\x00"])
def test_unassigning_a_licence_with_a_malformed_id_is_a_400(world, value):
    client = signed_in(world.partner_agent)
    before = row_counts()
    refused(client.post(f"/p/{world.kwargs['partner_id']}/customers/{world.kwargs['tenant_id']}/users/",
                        {"action": "unassign", "assignment": value}), "“assignment” must be the id of an existing item")
    assert row_counts() == before


@pytest.mark.parametrize(("action", "field"), [("approve", "grant"), ("reject", "grant"), ("terminate", "grant"),
                                               ("end", "relationship")])
def test_the_customers_grant_and_relationship_actions_refuse_a_non_numeric_id(world, action, field):
    client = signed_in(world.customer_admin)
    before = row_counts()
    refused(client.post(f"/c/{world.kwargs['tenant_id']}/partners/", {"action": action, field: "not-a-number"}),
            f"“{field}” must be the id of an existing item")
    assert row_counts() == before
