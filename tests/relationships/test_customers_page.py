"""Partner console → Customers: tenancy, search, expansion, and a constant number of queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invitations.services import invitation_create
from relationships.models import Relationship
from tests.factories import CustomerFactory


def related_customers(tenant, count: int) -> list[object]:  # type: ignore[no-untyped-def]
    customers = CustomerFactory.create_batch(count)
    Relationship.objects.bulk_create(Relationship(partner=tenant.partner, customer=c) for c in customers)
    return customers


def customers_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("relationships:customers", kwargs={"partner_id": tenant.partner.partner_id})


def test_customers_page_lists_only_this_partners_customers(client, partner_a, partner_b):
    mine = related_customers(partner_a, 2)
    theirs = related_customers(partner_b, 1)
    client.force_login(partner_a.sales.user)
    body = client.get(customers_url(partner_a)).content.decode()
    assert all(c.company_name in body for c in mine)
    assert theirs[0].company_name not in body
    detail = reverse("relationships:customer", kwargs={"partner_id": partner_a.partner.partner_id, "tenant_id": theirs[0].tenant_id})
    assert client.get(detail).status_code == 404


def test_customers_page_searches_by_name_and_domain(client, partner_a):
    related_customers(partner_a, 3)
    target = related_customers(partner_a, 1)[0]
    client.force_login(partner_a.sales.user)
    for term in (target.company_name, target.primary_domain):
        page = client.get(customers_url(partner_a), {"q": term}).context["page"]
        assert [r.customer for r in page.object_list] == [target]


def test_expanded_row_shows_account_relationship_and_delegated_admin(client, partner_a):
    customer = related_customers(partner_a, 1)[0]
    client.force_login(partner_a.sales.user)
    url = reverse("relationships:customer", kwargs={"partner_id": partner_a.partner.partner_id, "tenant_id": customer.tenant_id})
    response = client.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body  # a fragment for the expanding row
    assert customer.primary_domain in body and "Delegated admin" in body


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_customers_page_query_count_is_the_same_for_1_and_200_customers(client, partner_a):
    client.force_login(partner_a.sales.user)
    related_customers(partner_a, 1)
    one = count_queries(client, customers_url(partner_a))
    related_customers(partner_a, 199)
    assert count_queries(client, customers_url(partner_a)) == one


def test_invitations_page_query_count_is_the_same_for_1_and_200_invitations(client, partner_a):
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:list", kwargs={"partner_id": partner_a.partner.partner_id})
    invitation_create(membership=partner_a.admin, include_delegated_admin=True, recipient_email="a@example.com")
    one = count_queries(client, url)
    for n in range(199):
        invitation_create(membership=partner_a.admin, include_delegated_admin=bool(n % 2), recipient_email=f"r{n}@example.com")
    assert count_queries(client, url) == one
