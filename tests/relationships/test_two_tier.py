"""Two-tier: an indirect reseller's invitation names its indirect provider; acceptance relates the customer to both;
the provider sees its resellers' customers apart from its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.services import CustomerError
from invitations.acceptance import AcceptanceAnswer, invitation_accept
from invitations.create_services import invitation_create
from invitations.errors import InvitationError
from partners.choices import PartnerRole, PartnerType
from relationships.models import Relationship
from relationships.selectors import indirect_reseller_customers_for_provider
from tests.factories import PASSWORD, PartnerFactory, PartnerMembershipFactory, UserFactory
from workflows.agreement_attestation import agreement_attest

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(db):  # type: ignore[no-untyped-def]
    partner = PartnerFactory(name="Tailwind Distribution", partner_id="7000001", partner_type=PartnerType.INDIRECT_PROVIDER)
    PartnerMembershipFactory(partner=partner, user=UserFactory(email="admin@tailwind.example"), roles=[PartnerRole.ACCOUNT_ADMIN])
    return partner


@pytest.fixture
def reseller(db):  # type: ignore[no-untyped-def]
    partner = PartnerFactory(name="Litware Local", partner_type=PartnerType.INDIRECT_RESELLER)
    return PartnerMembershipFactory(partner=partner, user=UserFactory(email="agent@litware.example"),
                                    roles=[PartnerRole.ADMIN_AGENT, PartnerRole.SALES_AGENT])


def test_indirect_reseller_must_name_its_provider(reseller):  # type: ignore[no-untyped-def]
    with pytest.raises(InvitationError) as error:
        invitation_create(membership=reseller, include_delegated_admin=False)
    assert (error.value.code, error.value.field) == ("indirect_provider_required", "indirect_provider_id")


def test_unknown_or_wrong_cloud_provider_is_refused(reseller, provider):  # type: ignore[no-untyped-def]
    federal = PartnerFactory(partner_id="7000002", partner_type=PartnerType.INDIRECT_PROVIDER, cloud="us_gov", country="US")
    direct = PartnerFactory(partner_id="7000003", partner_type=PartnerType.DIRECT_BILL)
    for partner_id in ("9999999", federal.partner_id, direct.partner_id):
        with pytest.raises(InvitationError) as error:
            invitation_create(membership=reseller, include_delegated_admin=False, indirect_provider_id=partner_id)
        assert error.value.code == "unknown_indirect_provider"


def test_other_partners_cannot_name_a_provider(partner_a, provider):  # type: ignore[no-untyped-def]
    with pytest.raises(InvitationError) as error:
        invitation_create(membership=partner_a.admin, include_delegated_admin=False, indirect_provider_id=provider.partner_id)
    assert error.value.code == "not_indirect_reseller"


def test_acceptance_creates_the_relationship_for_both(reseller, provider, customer_a):  # type: ignore[no-untyped-def]
    invitation = invitation_create(membership=reseller, include_delegated_admin=False, indirect_provider_id=provider.partner_id)
    assert (invitation.kind, invitation.indirect_provider) == ("indirect_reseller", provider)
    result = invitation_accept(invitation=invitation, user=customer_a.user,
                               answer=AcceptanceAnswer(tenant_id=str(customer_a.customer.tenant_id)))
    rows = {r.partner_id: r for r in Relationship.objects.filter(customer=customer_a.customer)}
    assert set(rows) == {reseller.partner_id, provider.pk}
    assert all(r.relationship_type == "indirect_reseller" and r.indirect_provider == provider and r.status == "active"
               for r in rows.values())
    assert result.relationship.partner_id == reseller.partner_id
    section = list(indirect_reseller_customers_for_provider(provider=provider))
    assert [(r.customer, r.partner_id) for r in section] == [(customer_a.customer, reseller.partner_id)]
    assert not indirect_reseller_customers_for_provider(provider=reseller.partner).exists()


def test_provider_customers_page_marks_resellers_customers(client, reseller, provider, customer_a):  # type: ignore[no-untyped-def]
    invitation = invitation_create(membership=reseller, include_delegated_admin=False, indirect_provider_id=provider.partner_id)
    invitation_accept(invitation=invitation, user=customer_a.user, answer=AcceptanceAnswer(tenant_id=str(customer_a.customer.tenant_id)))
    client.login(email="admin@tailwind.example", password=PASSWORD)
    page = client.get(reverse("relationships:customers", kwargs={"partner_id": provider.partner_id})).content.decode()
    assert "Customers of your indirect resellers" in page and "Litware Local" in page and "via reseller" in page
    client.force_login(customer_a.user)
    partners_page = client.get(reverse("customers:partners", kwargs={"tenant_id": customer_a.customer.tenant_id})).content.decode()
    assert "Litware Local" in partners_page and "Tailwind Distribution" in partners_page and "Indirect provider" in partners_page


def test_request_page_offers_providers_to_indirect_resellers_only(client, reseller, provider, partner_a):  # type: ignore[no-untyped-def]
    client.force_login(reseller.user)
    url = reverse("invitations:request", kwargs={"partner_id": reseller.partner.partner_id})
    assert "Tailwind Distribution" in client.get(url).content.decode()
    refused = client.post(url, {"language": "en", "indirect_provider_id": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["indirect_provider_id"]
    done = client.post(url, {"language": "en", "indirect_provider_id": provider.partner_id})
    assert done.status_code == 302
    client.force_login(partner_a.admin.user)
    assert b"indirect_provider_id" not in client.get(reverse("invitations:request", kwargs={"partner_id": partner_a.partner.partner_id})).content


def test_indirect_reseller_cannot_attest_but_its_provider_can(reseller, provider, customer_a, agreement):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from customers.services import AgreementSignature

    invitation = invitation_create(membership=reseller, include_delegated_admin=False, indirect_provider_id=provider.partner_id)
    invitation_accept(invitation=invitation, user=customer_a.user, answer=AcceptanceAnswer(
        tenant_id=str(customer_a.customer.tenant_id), signature=AgreementSignature("Ida", "it@northwind.example", True)))
    values = {"customer": customer_a.customer, "signer_name": "Ida", "signer_email": "ida@northwind.example", "accepted_on": timezone.localdate()}
    with pytest.raises(CustomerError) as error:
        agreement_attest(membership=reseller, **values)
    assert error.value.code == "indirect_reseller_cannot_attest"
    provider_agent = PartnerMembershipFactory(partner=provider, roles=[PartnerRole.SALES_AGENT])
    assert agreement_attest(membership=provider_agent, **values).partner == provider


def test_api_create_names_the_provider(reseller, provider, client_for):  # type: ignore[no-untyped-def]
    admin = PartnerMembershipFactory(partner=reseller.partner, roles=[PartnerRole.ACCOUNT_ADMIN])
    api = client_for(admin, ["invitations:write"])
    missing = api.post("/api/v1/invitations", {"include_delegated_admin": False})
    assert missing.status_code == 422 and missing.json()["code"] == "indirect_provider_required"
    created = api.post("/api/v1/invitations", {"include_delegated_admin": False, "indirect_provider_id": provider.partner_id})
    assert created.status_code == 201 and created.json()["kind"] == "indirect_reseller"
