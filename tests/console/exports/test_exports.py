"""Exports of the console lists (issue 24, item 3): CSV and XLSX hold exactly what the list's
filters show, formula-safe, only the partner's rows, with the list's permission."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from invitations.choices import InvitationStatus
from relationships.choices import GrantStatus
from servicerequests.choices import ServiceRequestStatus
from tests.export_helpers import EVIL, csv_rows, export_customers, xlsx_rows
from tests.factories import (
    DelegatedAdminGrantFactory,
    InvitationFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db


def export(client, name: str, tenant, fmt: str, query: str = ""):  # type: ignore[no-untyped-def]
    url = reverse(name, kwargs={"partner_id": tenant.partner.partner_id, "fmt": fmt})
    return client.get(f"{url}?{query}" if query else url)


@pytest.fixture
def customers(partner_a, partner_b):  # type: ignore[no-untyped-def]
    return export_customers(partner_a, partner_b)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customers_export_is_the_filtered_list(client, partner_a, customers, fmt):
    client.force_login(partner_a.sales.user)
    response = export(client, "relationships:customers_export", partner_a, fmt, "q=northwind&sort=name")
    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(b"".join(response.streaming_content))[0]
    assert rows[0][:3] == ["Customer", "Domain", "Tenant ID"]
    assert [row[0] for row in rows[1:]] == ["Northwind Labs", "Northwind Traders"]  # the list's order; no other partner's row
    assert "Northwind Secret" not in str(rows)
    page = client.get(reverse("relationships:customers", kwargs={"partner_id": partner_a.partner.partner_id}) + "?q=northwind")
    body = page.content.decode()
    assert "Northwind Labs" in body and "Northwind Traders" in body and "Adatum" not in body


def test_customers_csv_is_formula_safe_and_xlsx_has_no_formula(client, partner_a, customers):
    client.force_login(partner_a.admin.user)
    rows = csv_rows(export(client, "relationships:customers_export", partner_a, "csv", "q=hyperlink"))
    assert rows[1][0] == "'" + EVIL
    xlsx = export(client, "relationships:customers_export", partner_a, "xlsx", "q=hyperlink")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    cells, sheet = xlsx_rows(b"".join(xlsx.streaming_content))
    assert cells[1][0] == EVIL  # kept as text ...
    assert "<f>" not in sheet and "<f " not in sheet  # ... in a string cell, never a formula


def test_exports_are_tenancy_safe_and_need_the_list_permission(client, partner_a, partner_b, customers):
    url = reverse("relationships:customers_export", kwargs={"partner_id": partner_a.partner.partner_id, "fmt": "csv"})
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(partner_b.admin.user)
    assert client.get(url).status_code == 404  # another partner's export does not exist for them
    client.force_login(partner_a.sales.user)
    assert client.get(url.replace("export.csv", "export.pdf")).status_code == 404
    rows = csv_rows(client.get(url))
    assert {row[0] for row in rows[1:]} == {"Northwind Traders", "Northwind Labs", "'" + EVIL, "Adatum"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_invitations_export_follows_status_and_search(client, partner_a, partner_b, fmt):
    InvitationFactory(partner=partner_a.partner, recipient_email="it@northwind.example")
    InvitationFactory(partner=partner_a.partner, recipient_email="ops@northwind.example", status=InvitationStatus.CANCELLED,
                      cancelled_at=timezone.now())
    InvitationFactory(partner=partner_a.partner, recipient_email="it@adatum.example")
    InvitationFactory(partner=partner_b.partner, recipient_email="spy@northwind.example")
    client.force_login(partner_a.sales.user)
    response = export(client, "invitations:export", partner_a, fmt, "status=pending&q=northwind")
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(b"".join(response.streaming_content))[0]
    assert [row[2] for row in rows[1:]] == ["it@northwind.example"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_grants_export_follows_the_status_filter(client, partner_a, partner_b, fmt):
    DelegatedAdminGrantFactory(partner=partner_a.partner, display_name="helpdesk-northwind")
    DelegatedAdminGrantFactory(partner=partner_a.partner, display_name="old-grant", status=GrantStatus.TERMINATED)
    DelegatedAdminGrantFactory(partner=partner_b.partner, display_name="their-grant")
    client.force_login(partner_a.sales.user)
    response = export(client, "relationships:grants_export", partner_a, fmt, "status=active")
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(b"".join(response.streaming_content))[0]
    assert [row[0] for row in rows[1:]] == ["helpdesk-northwind"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_service_requests_export_follows_filters(client, partner_a, partner_b, fmt):
    mine = ServiceRequestFactory(partner=partner_a.partner, title="-2+3 mailbox")
    ServiceRequestFactory(partner=partner_a.partner, title="Closed one", status=ServiceRequestStatus.CLOSED,
                          closed_at=mine.created_at)
    ServiceRequestFactory(partner=partner_b.partner, title="-2+3 theirs")
    client.force_login(partner_a.sales.user)
    response = export(client, "service_requests:export", partner_a, fmt, "status=open&q=mailbox")
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(b"".join(response.streaming_content))[0]
    assert [row[0] for row in rows[1:]] == [mine.number]
    assert rows[1][1] == ("'-2+3 mailbox" if fmt == "csv" else "-2+3 mailbox")


def test_list_pages_link_exports_with_the_current_filters(client, partner_a, customers):
    client.force_login(partner_a.sales.user)
    partner_id = partner_a.partner.partner_id
    body = client.get(reverse("relationships:customers", kwargs={"partner_id": partner_id}) + "?q=north&dap=none&page=2").content.decode()
    assert f"/p/{partner_id}/customers/export.csv?q=north&amp;dap=none\"" in body
    assert f"/p/{partner_id}/customers/export.xlsx?q=north&amp;dap=none\"" in body
    for name, query, expected in [("invitations:list", "status=pending&q=a", "invitations/export.csv?status=pending&amp;q=a"),
                                  ("relationships:grants", "status=active", "delegated-admin/export.csv?status=active"),
                                  ("service_requests:list", "q=x&status=open", "service-requests/export.csv?status=open&amp;q=x")]:
        body = client.get(reverse(name, kwargs={"partner_id": partner_id}) + "?" + query).content.decode()
        assert expected in body, name
