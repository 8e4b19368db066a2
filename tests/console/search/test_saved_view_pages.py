"""Saved views on the console lists: save from the page, the default opens the list, privacy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.choices import SavedViewList
from partners.models import SavedView
from partners.saved_view_services import saved_view_save
from tests.factories import CustomerFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

LISTS = [("relationships:customers", SavedViewList.CUSTOMERS, "dap=none"),
         ("invitations:list", SavedViewList.INVITATIONS, "status=pending"),
         ("relationships:grants", SavedViewList.GRANTS, "status=active"),
         ("service_requests:list", SavedViewList.SERVICE_REQUESTS, "status=open")]


@pytest.mark.parametrize(("url_name", "list_name", "query"), LISTS)
def test_save_from_the_page_then_the_default_opens_the_list(client, partner_a, url_name, list_name, query):
    client.force_login(partner_a.sales.user)
    list_url = reverse(url_name, kwargs={"partner_id": partner_a.partner.partner_id})
    action = reverse("saved_views:action", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.post(action, {"list": list_name, "action": "save", "name": "Mine", "filters": query + "&page=3",
                                    "make_default": "on"})
    assert response.status_code == 302 and response.url == f"{list_url}?{query}"
    view = SavedView.objects.get()
    assert (view.user_id, view.partner_id, view.query_string, view.is_default) == (
        partner_a.sales.user_id, partner_a.partner.pk, query, True)
    opened = client.get(list_url)
    assert opened.status_code == 302 and opened.url == f"{list_url}?{query}"  # the default applied
    assert client.get(f"{list_url}?view=all").status_code == 200  # and can be left
    page = client.get(f"{list_url}?{query}").content.decode()
    assert "Mine" in page and "Make default" not in page and "Stop opening with it" in page
    client.force_login(partner_a.admin.user)  # a colleague: no default, no view listed
    other = client.get(list_url)
    assert other.status_code == 200 and "Mine" not in other.content.decode()


def test_another_users_view_cannot_be_changed_and_bad_input_is_refused(client, partner_a, partner_b):
    view = saved_view_save(membership=partner_a.sales, list_name=SavedViewList.GRANTS, name="Mine", query_string="status=active")
    action_a = reverse("saved_views:action", kwargs={"partner_id": partner_a.partner.partner_id})
    client.force_login(partner_a.admin.user)
    assert client.post(action_a, {"list": "grants", "action": "delete", "view": view.pk}).status_code == 404
    assert client.post(action_a, {"list": "grants", "action": "delete", "view": "x"}).status_code == 302
    assert client.post(action_a, {"list": "nope", "action": "save", "name": "x"}).status_code == 302
    assert client.get(action_a).status_code == 405  # GET changes nothing
    client.force_login(partner_b.admin.user)
    assert client.post(action_a, {"list": "grants", "action": "delete", "view": view.pk}).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_the_default_lookup_costs_one_query_at_any_size(client, partner_a):
    saved_view_save(membership=partner_a.sales, list_name=SavedViewList.CUSTOMERS, name="Japan", query_string="country=JP",
                    make_default=True)
    client.force_login(partner_a.sales.user)
    url = reverse("relationships:customers", kwargs={"partner_id": partner_a.partner.partner_id})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 302
        return len(queries)

    small = count()
    for i in range(30):
        RelationshipFactory(partner=partner_a.partner, customer=CustomerFactory(company_name=f"Customer {i}"))
    for i in range(10):
        saved_view_save(membership=partner_a.sales, list_name=SavedViewList.CUSTOMERS, name=f"View {i}", query_string="dap=none")
    assert count() == small
