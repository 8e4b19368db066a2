"""Partner console and customer admin center pages for service requests: tenancy, roles, actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relationships.models import DelegatedAdminGrant
from servicerequests.models import ServiceRequest, ServiceRequestNote
from tests.factories import PASSWORD, CustomerMembershipFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):  # type: ignore[no-untyped-def]
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_anonymous_is_sent_to_sign_in(client, partner_a):  # type: ignore[no-untyped-def]
    response = client.get(reverse("service_requests:list", kwargs={"partner_id": partner_a.partner.partner_id}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_agent_files_from_the_page_and_sees_it_in_the_list(client, agent, related):  # type: ignore[no-untyped-def]
    login(client, agent.user)
    pid = agent.partner.partner_id
    page = client.get(reverse("service_requests:create", kwargs={"partner_id": pid}), {"customer": related.customer.tenant_id})
    assert page.status_code == 200 and b"even after the customer removed your admin roles" in page.content
    response = client.post(reverse("service_requests:create", kwargs={"partner_id": pid}), {
        "customer": str(related.customer.tenant_id), "title": "Mail bounces", "severity": "high", "description": "550 5.7.1"})
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("service_requests:detail", kwargs={"partner_id": pid, "pk": sr.pk})
    listing = client.get(reverse("service_requests:list", kwargs={"partner_id": pid}), {"status": "open"})
    assert b"Mail bounces" in listing.content
    assert b"Mail bounces" not in client.get(reverse("service_requests:list", kwargs={"partner_id": pid}), {"status": "closed"}).content
    per_customer = client.get(reverse("service_requests:customer", kwargs={"partner_id": pid, "tenant_id": related.customer.tenant_id}))
    assert b"Mail bounces" in per_customer.content


def test_refused_filing_shows_the_reason_and_writes_nothing(client, helpdesk, related):  # type: ignore[no-untyped-def]
    login(client, helpdesk.user)
    response = client.post(reverse("service_requests:create", kwargs={"partner_id": helpdesk.partner.partner_id}), {
        "customer": str(related.customer.tenant_id), "title": "Mail bounces", "severity": "high", "description": "550"})
    assert response.status_code == 200
    assert b"Service Support Administrator" in response.content
    assert not ServiceRequest.objects.exists()


def test_missing_fields_are_named(client, agent, related):  # type: ignore[no-untyped-def]
    login(client, agent.user)
    response = client.post(reverse("service_requests:create", kwargs={"partner_id": agent.partner.partner_id}),
                           {"customer": str(related.customer.tenant_id), "title": "", "severity": "high", "description": ""})
    assert response.status_code == 200 and response.context["form"].errors.keys() >= {"title", "description"}


def test_detail_status_and_note_actions(client, agent, related):  # type: ignore[no-untyped-def]
    sr = ServiceRequestFactory(partner=agent.partner, customer=related.customer)
    login(client, agent.user)
    url = reverse("service_requests:detail", kwargs={"partner_id": agent.partner.partner_id, "pk": sr.pk})
    assert client.get(url).status_code == 200
    client.post(url, {"action": "status", "status": "in_progress"})
    client.post(url, {"action": "note", "body": "Escalated to the mail team."})
    sr.refresh_from_db()
    assert sr.status == "in_progress" and ServiceRequestNote.objects.get().body == "Escalated to the mail team."
    client.post(url, {"action": "status", "status": "open"})  # not an allowed transition
    sr.refresh_from_db()
    assert sr.status == "in_progress"


def test_other_partners_request_answers_404(client, partner_b, agent, related):  # type: ignore[no-untyped-def]
    from partners.choices import PartnerRole
    from tests.factories import PartnerMembershipFactory

    sr = ServiceRequestFactory(partner=agent.partner, customer=related.customer)
    other = PartnerMembershipFactory(partner=partner_b.partner, roles=[PartnerRole.ADMIN_AGENT])
    login(client, other.user)
    url = reverse("service_requests:detail", kwargs={"partner_id": partner_b.partner.partner_id, "pk": sr.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "status", "status": "closed"}).status_code == 404
    listing = client.get(reverse("service_requests:list", kwargs={"partner_id": partner_b.partner.partner_id}))
    assert sr.title.encode() not in listing.content


def test_customer_admin_center_lists_and_takes_notes(client, agent, related, customer_a):  # type: ignore[no-untyped-def]
    sr = ServiceRequestFactory(partner=agent.partner, customer=related.customer, title="Mail bounces")
    login(client, customer_a.user)
    tenant = related.customer.tenant_id
    listing = client.get(reverse("customer_service_requests:list", kwargs={"tenant_id": tenant}))
    assert b"Mail bounces" in listing.content and agent.partner.name.encode() in listing.content
    url = reverse("customer_service_requests:detail", kwargs={"tenant_id": tenant, "pk": sr.pk})
    assert client.post(url, {"body": "All mailboxes."}).status_code == 302
    assert ServiceRequestNote.objects.get().side == "customer"


def test_customer_user_reads_but_cannot_note(client, agent, related):  # type: ignore[no-untyped-def]
    sr = ServiceRequestFactory(partner=agent.partner, customer=related.customer)
    reader = CustomerMembershipFactory(customer=related.customer, user=UserFactory(), role="user")
    login(client, reader.user)
    url = reverse("customer_service_requests:detail", kwargs={"tenant_id": related.customer.tenant_id, "pk": sr.pk})
    assert b"Only a global admin can add notes" in client.get(url).content
    assert client.post(url, {"body": "hello"}).status_code == 403
    assert not ServiceRequestNote.objects.exists()


def test_other_tenant_cannot_see_the_request(client, agent, related, customer_b):  # type: ignore[no-untyped-def]
    sr = ServiceRequestFactory(partner=agent.partner, customer=related.customer)
    login(client, customer_b.user)
    assert client.get(reverse("customer_service_requests:detail", kwargs={"tenant_id": customer_b.customer.tenant_id, "pk": sr.pk})).status_code == 404
    assert client.get(reverse("customer_service_requests:detail", kwargs={"tenant_id": related.customer.tenant_id, "pk": sr.pk})).status_code == 404


def test_customers_page_row_shows_only_this_partners_requests(client, agent, related):  # type: ignore[no-untyped-def]
    ServiceRequestFactory(partner=agent.partner, customer=related.customer, title="Mine")
    ServiceRequestFactory(customer=related.customer, title="Another partner's")
    login(client, agent.user)
    row = client.get(reverse("relationships:customer", kwargs={"partner_id": agent.partner.partner_id,
                                                               "tenant_id": related.customer.tenant_id}), HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert b"Mine" in row.content and b"Another partner" not in row.content


def test_grant_terminated_page_explains_admin_agent_still_files(client, agent, helpdesk, active_grant):  # type: ignore[no-untyped-def]
    grant = active_grant()
    DelegatedAdminGrant.objects.filter(pk=grant.pk).update(status="terminated")
    sr = ServiceRequestFactory(partner=agent.partner, customer=grant.customer)
    login(client, helpdesk.user)
    page = client.get(reverse("service_requests:detail", kwargs={"partner_id": agent.partner.partner_id, "pk": sr.pk}))
    assert b"removed your organisation" in page.content and b"an admin agent can file it" in page.content


def test_list_pages_query_count_does_not_grow_with_requests(client, agent, related, customer_a):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, agent.user)
    partner_url = reverse("service_requests:list", kwargs={"partner_id": agent.partner.partner_id})

    def count(url, c):  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        return len(queries)

    ServiceRequestFactory(partner=agent.partner, customer=related.customer)
    one = count(partner_url, client)
    for _ in range(20):
        sr = ServiceRequestFactory(partner=agent.partner, customer=related.customer)
        ServiceRequestNote.objects.create(service_request=sr, side="partner", author_label="a", body="b")
    assert count(partner_url, client) == one
    from django.test import Client

    customer_client = Client()
    customer_client.force_login(customer_a.user)
    customer_url = reverse("customer_service_requests:list", kwargs={"tenant_id": related.customer.tenant_id})
    many = count(customer_url, customer_client)
    ServiceRequestFactory(partner=agent.partner, customer=related.customer)
    assert count(customer_url, customer_client) == many
