"""A big indirect provider's pages cost the same number of queries as a small one's (issue 25, item 2).

Two two-tier worlds from bench/tenant_world.py (the shape `make bench-tenants` times at 1,000 and
100,000 customers), here 10 customers across 3 resellers and 300 across 30: each page the provider
opens answers with the same number of statements in both. Not timed (see `make bench-tenants`).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bench.tenant_world import TenantWorld, seed_indirect_provider

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SMALL, LARGE = (10, 3), (300, 30)


def pages(world: TenantWorld) -> dict[str, str]:
    """The provider's pages, by name -> URL (the same list `make bench-tenants` times)."""
    partner_id = world.provider_partner_id
    customers = reverse("relationships:customers", kwargs={"partner_id": partner_id})
    return {  # the Customers page of a provider shows its resellers' customers too (a section)
        "Customers page": customers,
        "Customers page, by name descending": f"{customers}?sort=-name",
        "Customers page, indirect reseller filter": f"{customers}?type=indirect_reseller",
        "Customers page, delegated admin active": f"{customers}?dap=active",
        "Customers page, search": f"{customers}?q={world.search_text(7)}",
        "Onboarding funnel": reverse("invitations:funnel", kwargs={"partner_id": partner_id}),
        "Activity log": reverse("audit:activity", kwargs={"partner_id": partner_id}),
        "Search": reverse("search:search", kwargs={"partner_id": partner_id}) + f"?q={world.search_text(7)}",
    }


def query_counts(world: TenantWorld) -> dict[str, int]:
    client = Client()
    client.force_login(User.objects.get(pk=world.admin_pk))
    counts = {}
    for name, url in pages(world).items():
        assert client.get(url).status_code == 200, name  # warm-up: session, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_each_page_of_an_indirect_provider_costs_the_same_queries_at_10_and_300_customers():
    small = seed_indirect_provider(customers=SMALL[0], resellers=SMALL[1], prefix="71")
    large = seed_indirect_provider(customers=LARGE[0], resellers=LARGE[1], prefix="72")

    assert query_counts(large) == query_counts(small)


def test_the_search_text_finds_its_customer_only():
    world = seed_indirect_provider(customers=LARGE[0], resellers=LARGE[1], prefix="73")
    client = Client()
    client.force_login(User.objects.get(pk=world.admin_pk))

    response = client.get(pages(world)["Search"])

    assert [r.customer.primary_domain for r in response.context["results"].customers.results] == ["c7.p73.tenants.example"]
