"""DELETE /api/v1/relationships/{id}: blockers as a problem response, If-Match, scope, tenancy."""

from __future__ import annotations

from relationships.models import Relationship
from subscriptions.services import subscription_provision, subscription_suspend
from tests.customer_services import member


def path(relationship) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/relationships/{relationship.pk}"


def test_delete_with_an_active_subscription_answers_409_listing_it(partner_a, client_for, world):
    agent = member(partner_a.partner)
    subscription = subscription_provision(membership=agent, customer=world["customer"], product_sku="email-plan-1", quantity=2)
    api = client_for(partner_a.admin, ["relationships:write"])
    response = api.delete(path(world["relationship"]))
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "removal_blocked"
    assert [(b["kind"], b["id"]) for b in body["blockers"]] == [("active_subscription", subscription.pk)]
    assert body["blockers"][0]["url"].startswith("http")
    world["relationship"].refresh_from_db()
    assert world["relationship"].status == "active"
    subscription_suspend(subscription=subscription, membership=agent)
    response = api.delete(path(world["relationship"]) + "?reason=done")
    assert response.status_code == 200
    assert response.json()["status"] == "terminated" and response["ETag"]
    assert world["grant"].__class__.objects.get(pk=world["grant"].pk).status == "terminated"


def test_delete_with_a_stale_if_match_answers_412(partner_a, client_for, world):
    api = client_for(partner_a.admin, ["relationships:write"])
    etag = api.get(path(world["relationship"]))["ETag"]
    assert api.delete(path(world["relationship"]), HTTP_IF_MATCH='"stale"').status_code == 412
    assert api.delete(path(world["relationship"]), HTTP_IF_MATCH=etag).status_code == 200
    assert api.delete(path(world["relationship"]), HTTP_IF_MATCH=etag).status_code == 412  # it changed: terminated


def test_delete_needs_the_write_scope(partner_a, client_for, world):
    response = client_for(partner_a.admin, ["relationships:read"]).delete(path(world["relationship"]))
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    assert Relationship.objects.get(pk=world["relationship"].pk).status == "active"


def test_another_partners_relationship_is_not_found(api_b, world):
    assert api_b.delete(path(world["relationship"])).status_code == 404
    assert Relationship.objects.get(pk=world["relationship"].pk).status == "active"
