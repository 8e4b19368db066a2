"""The console's search box (issue 24, item 4): each kind, only the current partner's rows, bounded."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    CustomerFactory,
    DelegatedAdminGrantFactory,
    InvitationFactory,
    RelationshipFactory,
    ServiceRequestFactory,
)
from workflows.search import SEARCH_LIMIT, partner_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partner_a, partner_b):  # type: ignore[no-untyped-def]
    northwind = CustomerFactory(company_name="Northwind Traders", primary_domain="northwind.example")
    RelationshipFactory(partner=partner_a.partner, customer=northwind)
    secret = CustomerFactory(company_name="Northwind Secret", primary_domain="nwsecret.example")
    RelationshipFactory(partner=partner_b.partner, customer=secret)
    return {
        "customer": northwind,
        "other_customer": secret,
        "invitation": InvitationFactory(partner=partner_a.partner, recipient_email="it@contoso-north.example"),
        "other_invitation": InvitationFactory(partner=partner_b.partner, recipient_email="it@fabrikam-north.example"),
        "grant": DelegatedAdminGrantFactory(partner=partner_a.partner, customer=northwind, display_name="northwind-helpdesk"),
        "other_grant": DelegatedAdminGrantFactory(partner=partner_b.partner, customer=secret, display_name="northwind-spy"),
        "request": ServiceRequestFactory(partner=partner_a.partner, customer=northwind, title="Northwind mailbox full"),
        "other_request": ServiceRequestFactory(partner=partner_b.partner, customer=secret, title="Northwind other"),
    }


def test_finds_each_kind_of_the_current_partner_only(partner_a, world):
    results = partner_search(partner=partner_a.partner, q="north")
    assert [r.customer for r in results.customers.results] == [world["customer"]]
    assert results.invitations.results == [world["invitation"]]
    assert results.grants.results == [world["grant"]]
    assert results.service_requests.results == [world["request"]]


def test_identifiers_find_their_row(partner_a, partner_b, world):
    partner = partner_a.partner
    assert [r.customer for r in partner_search(partner=partner, q=str(world["customer"].tenant_id)).customers.results] == [world["customer"]]
    assert partner_search(partner=partner, q=str(world["other_customer"].tenant_id)).total == 0
    assert partner_search(partner=partner, q="northwind.example").customers.results[0].customer == world["customer"]
    assert partner_search(partner=partner, q=f"#{world['invitation'].pk}").invitations.results == [world["invitation"]]
    assert partner_search(partner=partner, q=f"#{world['other_invitation'].pk}").invitations.results == []
    assert partner_search(partner=partner, q=world["request"].number).service_requests.results == [world["request"]]
    assert partner_search(partner=partner, q=world["other_request"].number).service_requests.results == []
    assert partner_search(partner=partner, q="SR-99999999999999999999999").total == 0  # no overflow, no error


def test_results_page_groups_by_kind_and_hides_other_partners(client, partner_a, world):
    client.force_login(partner_a.sales.user)
    url = reverse("search:search", kwargs={"partner_id": partner_a.partner.partner_id})
    body = client.get(url, {"q": "northwind"}).content.decode()
    for heading in ("Customers", "Delegated admin", "Service requests"):
        assert f">{heading}</h2>" in body
    assert "Northwind Traders" in body and "northwind-helpdesk" in body and "Northwind mailbox full" in body
    assert "Northwind Secret" not in body and "northwind-spy" not in body and "Northwind other" not in body
    assert 'role="search"' in body and 'id="console-search-q"' in body
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "\x00"}).status_code == 400


def test_search_needs_membership(client, partner_a, partner_b):
    url = reverse("search:search", kwargs={"partner_id": partner_a.partner.partner_id})
    assert client.get(url, {"q": "x"}).status_code == 302
    client.force_login(partner_b.admin.user)
    assert client.get(url, {"q": "x"}).status_code == 404


def test_query_count_is_constant_and_results_bounded(client, partner_a, world):
    client.force_login(partner_a.sales.user)
    url = reverse("search:search", kwargs={"partner_id": partner_a.partner.partner_id})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": "north"}).status_code == 200
        return len(queries)

    small = count()
    for i in range(3 * SEARCH_LIMIT):
        customer = CustomerFactory(company_name=f"North {i}")
        RelationshipFactory(partner=partner_a.partner, customer=customer)
        InvitationFactory(partner=partner_a.partner, recipient_email=f"north{i}@example.com")
        DelegatedAdminGrantFactory(partner=partner_a.partner, customer=customer, display_name=f"north-{i}")
        ServiceRequestFactory(partner=partner_a.partner, customer=customer, title=f"North {i}")
    assert count() == small
    results = partner_search(partner=partner_a.partner, q="north")
    assert all(len(group.results) == SEARCH_LIMIT and group.more for group in results.groups)


def test_search_and_list_tools_speak_japanese(client, partner_a, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    client.force_login(partner_a.sales.user)
    body = client.get(reverse("search:search", kwargs={"partner_id": partner_a.partner.partner_id}), {"q": "northwind"}).content.decode()
    assert "検索" in body and "委任された管理者" in body and "Delegated admin</h2>" not in body
    page = client.get(reverse("relationships:grants", kwargs={"partner_id": partner_a.partner.partner_id})).content.decode()
    assert "CSV にエクスポート" in page and "XLSX にエクスポート" in page and "このフィルターを保存" in page
