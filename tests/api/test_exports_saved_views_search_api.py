"""Exports, saved views and search through /api/v1 (issue 24, items 3 and 4): the console's lists and
search box for API keys — the same rows as the console's files, only the key's partner, each key its
own saved views."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from invitations.choices import InvitationStatus
from relationships.choices import GrantStatus
from tests.export_helpers import EVIL, csv_rows, export_customers, xlsx_rows
from tests.factories import (
    DelegatedAdminGrantFactory,
    InvitationFactory,
    RelationshipFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(partner_a, partner_b):  # type: ignore[no-untyped-def]
    return export_customers(partner_a, partner_b)


def test_the_customers_export_is_the_console_export_of_the_same_filters(client, api_a, partner_a, customers):
    response = api_a.get("/api/v1/customers/export?format=csv&q=northwind&sort=-name")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="customers-' in response["Content-Disposition"]
    api_rows = csv_rows(response)
    assert [row[0] for row in api_rows[1:]] == ["Northwind Traders", "Northwind Labs"]  # no other partner's row
    client.force_login(partner_a.admin.user)
    console = client.get(reverse("relationships:customers_export", kwargs={"partner_id": partner_a.partner.partner_id, "fmt": "csv"})
                         + "?q=northwind&sort=-name")
    assert csv_rows(console) == api_rows


def test_the_xlsx_export_keeps_formulas_as_text(api_a, customers):
    response = api_a.get("/api/v1/customers/export?format=xlsx&q=hyperlink")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    cells, sheet = xlsx_rows(b"".join(response.streaming_content))
    assert cells[1][0] == EVIL and "<f>" not in sheet
    assert csv_rows(api_a.get("/api/v1/customers/export?q=hyperlink"))[1][0] == "'" + EVIL  # CSV by default, formula-safe


def test_an_unknown_format_filter_or_value_is_a_problem_not_a_file(api_a, customers):
    for query in ("format=pdf", "stauts=active", "dap=maybe", "country=Japan", "sort=evil"):
        response = api_a.get(f"/api/v1/customers/export?{query}")
        assert response.status_code == 400, query
        assert response["Content-Type"] == "application/problem+json"


def test_the_other_lists_export_with_their_filters(api_a, partner_a, partner_b, customer_a):
    InvitationFactory(partner=partner_a.partner, recipient_email="it@northwind.example")
    InvitationFactory(partner=partner_a.partner, recipient_email="ops@northwind.example", status=InvitationStatus.CANCELLED,
                      cancelled_at=timezone.now())
    InvitationFactory(partner=partner_b.partner, recipient_email="it@secret.example")
    rows = csv_rows(api_a.get("/api/v1/invitations/export?status=cancelled"))
    assert [row[2] for row in rows[1:]] == ["ops@northwind.example"]

    RelationshipFactory(partner=partner_a.partner, customer=customer_a.customer)
    DelegatedAdminGrantFactory(partner=partner_a.partner, customer=customer_a.customer, display_name="Active one", status=GrantStatus.ACTIVE)
    DelegatedAdminGrantFactory(partner=partner_a.partner, customer=customer_a.customer, display_name="Ended one", status=GrantStatus.EXPIRED)
    rows = csv_rows(api_a.get("/api/v1/grants/export?status=active&format=csv"))
    assert [row[0] for row in rows[1:]] == ["Active one"]

    ServiceRequestFactory(partner=partner_a.partner, customer=customer_a.customer, title="Mail bounces")
    ServiceRequestFactory(partner=partner_a.partner, customer=customer_a.customer, title="Licences")
    rows = csv_rows(api_a.get(f"/api/v1/service-requests/export?q=bounces&customer={customer_a.customer.tenant_id}"))
    assert [row[1] for row in rows[1:]] == ["Mail bounces"]


def test_an_export_needs_the_lists_read_scope(partner_a, client_for, customers):
    assert client_for(partner_a.admin, ["invitations:read"]).get("/api/v1/customers/export").status_code == 403
    assert client_for(partner_a.admin, ["customers:read"]).get("/api/v1/customers/export").status_code == 200


def test_a_keys_saved_views_are_its_own(partner_a, partner_b, client_for, api_a):
    created = api_a.post("/api/v1/saved-views", {"list_name": "customers", "name": "No admin yet",
                                                 "query_string": "dap=none&page=3&evil=1", "is_default": True})
    assert created.status_code == 201, created.content
    view = created.json()
    assert view["query_string"] == "dap=none" and view["is_default"] is True  # the list's own parameters only
    assert [v["name"] for v in api_a.get("/api/v1/saved-views?list_name=customers").json()["results"]] == ["No admin yet"]
    assert api_a.get(f"/api/v1/customers/export?{view['query_string']}").status_code == 200  # its filters export as they are

    other_key = client_for(partner_a.admin)
    assert other_key.get("/api/v1/saved-views").json()["results"] == []  # another key of the same partner
    assert other_key.get(f"/api/v1/saved-views/{view['id']}").status_code == 404
    assert client_for(partner_b.admin).delete(f"/api/v1/saved-views/{view['id']}").status_code == 404
    assert not partner_a.admin.user.saved_views.exists()  # no person's views were touched

    changed = api_a.patch(f"/api/v1/saved-views/{view['id']}", {"query_string": "q=north", "is_default": False})
    assert changed.status_code == 200 and changed.json()["query_string"] == "q=north" and changed.json()["is_default"] is False
    assert api_a.delete(f"/api/v1/saved-views/{view['id']}").status_code == 204
    assert api_a.get(f"/api/v1/saved-views/{view['id']}").status_code == 404


def test_search_finds_only_the_keys_partners_rows_grouped_by_kind(api_a, partner_a, partner_b, client_for, customers):
    InvitationFactory(partner=partner_a.partner, recipient_email="it@northwind.example")
    body = api_a.get("/api/v1/search?q=northwind").json()
    assert {hit["name"] for hit in body["customers"]["results"]} == {"Northwind Labs (nwlabs.example)",
                                                                      "Northwind Traders (northwind.example)"}
    assert [hit["name"] for hit in body["invitations"]["results"]] == ["it@northwind.example"]
    assert "Secret" not in str(body)
    only_customers = client_for(partner_a.admin, ["customers:read"]).get("/api/v1/search?q=northwind").json()
    assert set(only_customers) == {"q", "customers"}  # the other groups need their own read scope
    theirs = client_for(partner_b.admin).get("/api/v1/search?q=northwind").json()
    assert [hit["name"] for hit in theirs["customers"]["results"]] == ["Northwind Secret (secret.example)"]


def test_search_costs_the_same_queries_at_10_and_200_customers(api_a, partner_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_a.get("/api/v1/search?q=contoso-customer").status_code == 200
        return len(captured)

    RelationshipFactory.create_batch(10, partner=partner_a.partner)
    queries()  # the key's first call records its first use
    few = queries()
    RelationshipFactory.create_batch(190, partner=partner_a.partner)
    assert queries() == few
