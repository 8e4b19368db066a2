"""Multi-partner: the customer sees all its partners and every request filed for it; each partner sees only its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.choices import PartnerRole
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.selectors import grants_for
from servicerequests.selectors import service_request_list_for_partner, service_requests_for
from tests.factories import PASSWORD, PartnerFactory, PartnerMembershipFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_partners(partner_a, customer_a):  # type: ignore[no-untyped-def]
    second = PartnerFactory(name="Adventure Works IT", country="JP")
    agent_2 = PartnerMembershipFactory(partner=second, roles=[PartnerRole.ADMIN_AGENT])
    customer = customer_a.customer
    now = timezone.now()
    for partner, name in ((partner_a.partner, "Contoso grant"), (second, "Adventure grant")):
        Relationship.objects.create(partner=partner, customer=customer)
        DelegatedAdminGrant.objects.create(partner=partner, customer=customer, display_name=name, roles=["f023fd81-a637-4b56-95fd-791ac0226033"],
                                           duration_days=30, status="active", starts_at=now, ends_at=now + timedelta(days=30),
                                           request_expires_at=now + timedelta(days=90))
    ServiceRequestFactory(partner=partner_a.partner, customer=customer, title="Contoso request")
    ServiceRequestFactory(partner=second, customer=customer, title="Adventure request")
    return second, agent_2


def test_customer_admin_center_lists_every_partner_and_request(client, customer_a, partner_a, two_partners):  # type: ignore[no-untyped-def]
    client.force_login(customer_a.user)
    tenant = customer_a.customer.tenant_id
    partners_page = client.get(reverse("customers:partners", kwargs={"tenant_id": tenant})).content.decode()
    assert partner_a.partner.name in partners_page and "Adventure Works IT" in partners_page
    requests_page = client.get(reverse("customer_service_requests:list", kwargs={"tenant_id": tenant})).content.decode()
    assert "Contoso request" in requests_page and "Adventure request" in requests_page


def test_each_partner_sees_only_its_own_grants_and_requests(partner_a, customer_a, two_partners):  # type: ignore[no-untyped-def]
    second, _agent = two_partners
    customer = customer_a.customer
    assert [g.display_name for g in grants_for(partner=partner_a.partner, customer=customer)] == ["Contoso grant"]
    assert [g.display_name for g in grants_for(partner=second, customer=customer)] == ["Adventure grant"]
    assert [r.title for r in service_requests_for(partner=partner_a.partner, customer=customer)] == ["Contoso request"]
    assert [r.title for r in service_request_list_for_partner(partner=second)] == ["Adventure request"]


def test_partner_pages_never_show_the_other_partners_items(client, partner_a, customer_a, two_partners):  # type: ignore[no-untyped-def]
    second, agent_2 = two_partners
    client.login(email=agent_2.user.email, password=PASSWORD)
    pid = second.partner_id
    row = client.get(reverse("relationships:customer", kwargs={"partner_id": pid, "tenant_id": customer_a.customer.tenant_id}))
    assert "Adventure grant" in row.content.decode() and "Contoso grant" not in row.content.decode()
    listing = client.get(reverse("service_requests:customer", kwargs={"partner_id": pid, "tenant_id": customer_a.customer.tenant_id}))
    assert "Adventure request" in listing.content.decode() and "Contoso request" not in listing.content.decode()
    other = service_request_list_for_partner(partner=partner_a.partner).get()
    assert client.get(reverse("service_requests:detail", kwargs={"partner_id": pid, "pk": other.pk})).status_code == 404
