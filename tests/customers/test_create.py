"""Create a new customer (partner side): pending until its first global admin accepts; that admin joins it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from customers.models import Customer, CustomerMembership
from customers.services import CustomerError
from invitations.links import invitation_url
from invitations.models import Invitation
from notifications.models import OutboxMessage
from partnercenter.errors import DomainError, PermissionDeniedError
from relationships.models import Relationship
from tests.factories import PASSWORD, CustomerFactory, UserFactory
from workflows.customer_creation import customer_create_for_partner

pytestmark = pytest.mark.django_db


def create(membership, **kwargs):  # type: ignore[no-untyped-def]
    values = {"company_name": "Northwind Traders", "primary_domain": "Northwind.Example.", "country": "JP",
              "admin_email": "IT@northwind.example", **kwargs}
    return customer_create_for_partner(membership=membership, **values)


def test_sales_agent_creates_a_pending_customer_and_invites_its_admin(partner_a):  # type: ignore[no-untyped-def]
    created = create(partner_a.sales)
    customer = created.customer
    assert (customer.primary_domain, customer.cloud, customer.status) == ("northwind.example", "public", "pending_acceptance")
    assert customer.created_by_partner == partner_a.partner and not customer.memberships.exists()
    invitation = Invitation.objects.get()
    assert (invitation.customer_id, invitation.recipient_email, invitation.target_domain, invitation.sent_to) == (
        customer.pk, "it@northwind.example", "northwind.example", "it@northwind.example")
    assert OutboxMessage.objects.filter(recipient="it@northwind.example").count() == 1
    assert {"customer.created", "invitation.created", "invitation.sent"} <= set(AuditEvent.objects.values_list("action", flat=True))
    assert not Relationship.objects.exists()  # only once the admin accepts


def test_idna_domain_is_normalised(agent):  # type: ignore[no-untyped-def]
    assert create(agent, primary_domain="Bücher.Example").customer.primary_domain == "xn--bcher-kva.example"


@pytest.mark.parametrize("domain", ["northwind.example", "NORTHWIND.example", "northwind.example."])
def test_domain_taken_in_the_cloud_is_refused_case_insensitively(agent, domain):  # type: ignore[no-untyped-def]
    CustomerFactory(primary_domain="northwind.example")
    with pytest.raises(CustomerError) as error:
        create(agent, primary_domain=domain)
    assert (error.value.code, error.value.field) == ("domain_taken", "primary_domain")
    assert Customer.objects.count() == 1 and not Invitation.objects.exists()


def test_same_domain_in_another_cloud_is_free(agent):  # type: ignore[no-untyped-def]
    CustomerFactory(primary_domain="northwind.example", cloud="us_gov")
    assert create(agent).customer.cloud == "public"


def test_market_rule_refuses_a_country_outside_the_market(agent):  # type: ignore[no-untyped-def]
    with pytest.raises(CustomerError) as error:
        create(agent, country="US")
    assert (error.value.code, error.value.field) == ("market_mismatch", "country")
    assert not Customer.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(("values", "field"), [({"admin_email": "not-an-email"}, "admin_email"), ({"company_name": " "}, "company_name"),
                                               ({"country": "XX"}, "country"), ({"primary_domain": "localhost"}, "primary_domain")])
def test_bad_input_is_refused_with_the_field(agent, values, field):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        create(agent, **values)
    assert error.value.field == field
    assert not Customer.objects.exists()


def test_account_admin_and_helpdesk_may_not_create(partner_a):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        create(partner_a.admin)
    assert not Customer.objects.exists()


def test_sovereign_partner_must_include_delegated_admin(partner_b):  # type: ignore[no-untyped-def]
    from partners.choices import PartnerRole
    from tests.factories import PartnerMembershipFactory

    agent_b = PartnerMembershipFactory(partner=partner_b.partner, roles=[PartnerRole.SALES_AGENT])
    with pytest.raises(DomainError) as error:
        create(agent_b, country="US")
    assert error.value.code == "sovereign_requires_admin"
    assert not Customer.objects.exists()  # the whole creation rolled back
    assert create(agent_b, country="US", include_delegated_admin=True).customer.cloud == "us_gov"


def test_admin_accepting_joins_this_customer_without_a_duplicate(client, agent, agreement):  # type: ignore[no-untyped-def]
    created = create(agent)
    admin = UserFactory(email="it@northwind.example")
    client.force_login(admin)
    path = "/" + invitation_url(created.invitation).split("://", 1)[1].split("/", 1)[1]
    page = client.get(client.get(path).url)
    assert b"created this tenant for your organisation" in page.content and b"tenant-new" not in page.content
    response = client.post(reverse("invitation_review"), {
        "tenant": str(created.customer.tenant_id), "signer_name": "Ida", "signer_email": "it@northwind.example",
        "agreement_accepted": "on"})
    assert response.status_code == 200, response.content.decode()[:1500]
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert customer.status == "active" and customer.activated_at is not None
    assert CustomerMembership.objects.get(customer=customer).user == admin
    assert Relationship.objects.get(partner=agent.partner, customer=customer).status == "active"


def test_admin_answering_new_tenant_still_joins_the_created_one(client, agent, agreement):  # type: ignore[no-untyped-def]
    created = create(agent)
    client.force_login(UserFactory(email="it@northwind.example"))
    path = "/" + invitation_url(created.invitation).split("://", 1)[1].split("/", 1)[1]
    client.get(path)
    client.post(reverse("invitation_review"), {"tenant": "new", "company_name": "Other", "primary_domain": "other.example",
                                                "country": "JP", "signer_name": "Ida", "agreement_accepted": "on"})
    assert list(Customer.objects.values_list("primary_domain", flat=True)) == ["northwind.example"]


def test_another_account_cannot_accept_for_the_created_customer(client, agent, agreement):  # type: ignore[no-untyped-def]
    created = create(agent)
    client.force_login(UserFactory(email="someone@else.example"))
    path = "/" + invitation_url(created.invitation).split("://", 1)[1].split("/", 1)[1]
    client.get(path)
    response = client.post(reverse("invitation_review"), {"tenant": str(created.customer.tenant_id), "signer_name": "X",
                                                          "agreement_accepted": "on"})
    assert response.status_code == 400
    assert not CustomerMembership.objects.exists() and not Relationship.objects.exists()


def test_page_creates_and_refuses(client, agent, partner_a):  # type: ignore[no-untyped-def]
    url = reverse("partner_customers:create", kwargs={"partner_id": partner_a.partner.partner_id})
    client.login(email=partner_a.admin.user.email, password=PASSWORD)
    assert client.get(url).status_code == 403  # account admin: not a customer manager
    client.login(email=agent.user.email, password=PASSWORD)
    customers_page = client.get(reverse("relationships:customers", kwargs={"partner_id": partner_a.partner.partner_id}))
    assert url.encode() in customers_page.content
    refused = client.post(url, {"company_name": "Northwind", "primary_domain": "northwind.example", "country": "US",
                                "admin_email": "it@northwind.example", "language": "en"})
    assert refused.status_code == 200 and "market" in str(refused.context["form"].errors["country"])
    done = client.post(url, {"company_name": "Northwind", "primary_domain": "northwind.example", "country": "JP",
                             "admin_email": "it@northwind.example", "language": "en"})
    assert done.status_code == 302 and Customer.objects.get().status == "pending_acceptance"


def test_api_create_is_idempotent_and_scoped(partner_a, client_for):  # type: ignore[no-untyped-def]
    api = client_for(partner_a.admin, ["customers:write"])
    body = {"company_name": "Northwind", "primary_domain": "northwind.example", "country": "JP", "admin_email": "it@northwind.example"}
    first = api.post("/api/v1/customers", body, HTTP_IDEMPOTENCY_KEY="create-northwind")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == "pending_acceptance" and data["invitation"]["sent_to"] == "it@northwind.example"
    assert first["Location"].endswith(f"/api/v1/invitations/{data['invitation']['id']}")
    again = api.post("/api/v1/customers", body, HTTP_IDEMPOTENCY_KEY="create-northwind")
    assert again.status_code == 201 and again.json() == data and Customer.objects.count() == 1
    taken = api.post("/api/v1/customers", body)
    assert taken.status_code == 422 and taken.json()["code"] == "domain_taken"
    assert taken.json()["errors"][0]["field"] == "primary_domain"
    reader = client_for(partner_a.admin, ["customers:read"])
    assert reader.post("/api/v1/customers", {**body, "primary_domain": "x.example"}).json()["code"] == "insufficient_scope"
    assert api.get(f"/api/v1/customers/{data['tenant_id']}").status_code == 404  # until the admin accepts
