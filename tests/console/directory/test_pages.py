"""Partner console → a customer → Users: directory users with licenses, behind the effective permission."""

from __future__ import annotations

from django.urls import reverse

from directory.models import DirectoryUser, LicenseAssignment
from tests.customer_services import GLOBAL_READER, grant_roles


def url(agent, customer) -> str:  # type: ignore[no-untyped-def]
    return reverse("relationships:customer_users", kwargs={"partner_id": agent.partner.partner_id, "tenant_id": customer.tenant_id})


def test_anonymous_and_other_tenant(client, agent, customer_a, customer_b, related):
    assert client.get(url(agent, customer_a.customer)).status_code == 302
    client.force_login(agent.user)
    assert client.get(url(agent, customer_b.customer)).status_code == 404


def test_without_roles_the_page_says_why_and_lists_nobody(client, agent, customer_a, related, people):
    client.force_login(agent.user)
    response = client.get(url(agent, customer_a.customer))
    assert response.status_code == 403
    assert people[0].user_principal_name not in response.content.decode()


def test_reader_sees_users_without_write_controls(client, agent, customer_a, related, people, seats):
    grant_roles(agent.partner, customer_a.customer, [GLOBAL_READER])
    client.force_login(agent.user)
    body = client.get(url(agent, customer_a.customer)).content.decode()
    assert people[0].user_principal_name in body and "0 of 2 assigned" in body
    assert "Create a user" not in body and ">Assign<" not in body
    response = client.post(url(agent, customer_a.customer), {"action": "assign", "user": people[0].pk, "subscription": seats.pk}, follow=True)
    assert "may not assign licenses" in response.content.decode()
    assert not LicenseAssignment.objects.exists()


def test_admin_creates_a_user_assigns_and_removes_a_license(client, agent, customer_a, related, seats):
    grant_roles(agent.partner, customer_a.customer)
    client.force_login(agent.user)
    page = url(agent, customer_a.customer)
    response = client.post(page, {"action": "create", "display_name": "Ada Lovelace", "user_principal_name": "ada@northwind.example"},
                           follow=True)
    assert "User ada@northwind.example created." in response.content.decode()
    user = DirectoryUser.objects.get()
    response = client.post(page, {"action": "assign", "user": user.pk, "subscription": seats.pk}, follow=True)
    assert "license assigned to ada@northwind.example" in response.content.decode()
    assert "1 of 2 assigned" in response.content.decode()
    client.post(page, {"action": "unassign", "assignment": LicenseAssignment.objects.get().pk})
    assert not LicenseAssignment.objects.exists()


def test_create_with_a_foreign_domain_shows_the_error_next_to_the_field(client, agent, customer_a, related):
    grant_roles(agent.partner, customer_a.customer)
    client.force_login(agent.user)
    response = client.post(url(agent, customer_a.customer),
                           {"action": "create", "display_name": "Eve", "user_principal_name": "eve@evil.example"})
    assert response.status_code == 400
    assert "must end in @northwind.example" in response.content.decode()
    assert not DirectoryUser.objects.exists()


def test_out_of_seats_is_a_clear_message(client, agent, customer_a, related, people, seats):
    grant_roles(agent.partner, customer_a.customer)
    client.force_login(agent.user)
    page = url(agent, customer_a.customer)
    for person in people:
        response = client.post(page, {"action": "assign", "user": person.pk, "subscription": seats.pk}, follow=True)
    assert "All 2 licenses of Productivity Suite Business are assigned" in response.content.decode()
    assert LicenseAssignment.objects.count() == 2
