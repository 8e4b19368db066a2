"""GET /api/v1/customers: the direct representation equals DRF's generic one, tenancy, a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.customers_serializers import CustomerSerializer
from partnercenter.directory_roles import BUNDLES
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.selectors import customer_list_for_partner
from tests.factories import CustomerFactory


def related(tenant, count: int, **fields) -> list[object]:  # type: ignore[no-untyped-def]
    customers = CustomerFactory.create_batch(count)
    Relationship.objects.bulk_create(Relationship(partner=tenant.partner, customer=c, **fields) for c in customers)
    return customers


def grant(tenant, customer, status: str) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    DelegatedAdminGrant.objects.create(
        partner=tenant.partner, customer=customer, display_name=f"Support {customer.pk}", roles=list(BUNDLES["user_management"][1]),
        duration_days=30, status=status, request_expires_at=now + timedelta(days=90),
        **({"starts_at": now, "ends_at": now + timedelta(days=30)} if status == "active" else {}),
    )


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
def test_customer_representation_is_what_the_declared_fields_give(partner_a, zone):
    plain = related(partner_a, 1)[0]
    active, pending = related(partner_a, 2, relationship_type="indirect_reseller")
    grant(partner_a, active, "active")
    grant(partner_a, pending, "approval_pending")
    relationships = customer_list_for_partner(partner=partner_a.partner).order_by("pk")
    instances, rows = list(relationships), list(relationships.values(*CustomerSerializer.ROW_FIELDS))
    assert {r.customer for r in instances} == {plain, active, pending}
    with timezone.override(zone):
        serializer = CustomerSerializer()
        for instance, row in zip(instances, rows, strict=True):
            generic = serializer.to_representation(instance)  # a model instance takes DRF's generic path
            assert generic["tenant_id"] == str(instance.customer.tenant_id)
            assert serializer.to_representation(row) == generic
            assert list(serializer.to_representation(row)) == list(generic)  # same key order: same JSON, same ETag


def test_customer_list_answers_only_this_partners_customers_in_the_documented_shape(api_a, partner_a, partner_b):
    mine = related(partner_a, 2)
    grant(partner_a, mine[0], "active")
    theirs = related(partner_b, 1)[0]
    body = api_a.get("/api/v1/customers").json()
    assert {c["tenant_id"] for c in body["results"]} == {str(c.tenant_id) for c in mine}
    row = next(c for c in body["results"] if c["tenant_id"] == str(mine[0].tenant_id))
    assert row["delegated_admin"] == {"has_active_grant": True, "has_pending_grant": False}
    assert set(row) == {"tenant_id", "company_name", "primary_domain", "country", "cloud", "language", "relationship", "delegated_admin",
                        "tags"}
    assert set(row["relationship"]) == {"id", "type", "established_at"} and row["relationship"]["type"] == "reseller"
    assert api_a.get(f"/api/v1/customers/{theirs.tenant_id}").status_code == 404


def test_customer_list_takes_two_queries_for_1_and_for_120_customers(api_a, partner_a):
    related(partner_a, 1)
    api_a.get("/api/v1/customers")  # first use of the key records last_used_at (one UPDATE)
    counts = []
    for total in (1, 120):
        related(partner_a, total - len(Relationship.objects.filter(partner=partner_a.partner)))
        with CaptureQueriesContext(connection) as queries:
            response = api_a.get("/api/v1/customers", {"page_size": 100})
        assert response.status_code == 200 and len(response.json()["results"]) == min(total, 100)
        counts.append(len(queries))
    # The key (with its partner and user); its request counted (one upsert that also reads the invalid-key
    # counters of its address and prefix, issue 18); the page, with its customers' tags (issue 24) as an
    # array sub-select (issue 25).
    assert counts == [3, 3], counts


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
def test_the_compiled_first_page_answers_drfs_bytes_and_next_cursor(api_a, partner_a, partner_b, zone, settings, monkeypatch):
    from api.customers_views import CustomerViewSet
    from relationships.models import CustomerTag

    settings.TIME_ZONE = zone
    customers = related(partner_a, 7)
    # Two relationships established at the same instant: DRF's next cursor then carries an offset.
    same = timezone.now() - timedelta(days=3)
    Relationship.objects.filter(customer__in=customers[:3]).update(established_at=same)
    related(partner_a, 2, relationship_type="indirect_reseller")
    grant(partner_a, customers[0], "active")
    grant(partner_a, customers[1], "approval_pending")
    tag = CustomerTag.objects.create(partner=partner_a.partner, name="VIP")
    tag.customers.add(customers[0], customers[2])
    related(partner_b, 3)  # another partner's: never listed
    for params in ({}, {"page_size": 2}, {"page_size": 3}, {"page_size": 9}, {"page_size": 200}):
        compiled = api_a.get("/api/v1/customers", params)
        monkeypatch.setattr(CustomerViewSet, "compiled_first_page", False)
        generic = api_a.get("/api/v1/customers", params)
        monkeypatch.setattr(CustomerViewSet, "compiled_first_page", True)
        assert compiled.status_code == generic.status_code == 200
        assert compiled.content == generic.content, params
        assert compiled.headers.get("ETag") == generic.headers.get("ETag")
        following = compiled.json()["next"]
        if following:  # the next page (DRF's path with the cursor) follows on from the compiled first page
            assert api_a.get(following).status_code == 200
    assert api_a.get("/api/v1/customers", {"page_size": 0}).status_code == 400


def test_the_compiled_first_page_takes_the_same_statements(api_a, partner_a):
    related(partner_a, 60)
    api_a.get("/api/v1/customers")  # first use of the key records last_used_at; the statement compiled
    with CaptureQueriesContext(connection) as compiled:
        first = api_a.get("/api/v1/customers")
    cursor = first.json()["next"].split("cursor=")[1]
    with CaptureQueriesContext(connection) as generic:
        assert api_a.get("/api/v1/customers", {"cursor": cursor}).status_code == 200
    assert len(compiled) == len(generic) == 3
