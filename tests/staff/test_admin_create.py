"""What staff may still create in admin goes through the same services (audited, rules applied)."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from customers.models import Customer
from customers.services import customer_create
from partners.models import Partner
from partners.services import partner_create
from tests.factories import AgreementAcceptanceFactory, AgreementVersionFactory


def test_superuser_adds_a_partner_through_partner_create(superuser_client):
    with mock.patch("staff.partners_admin.partner_create", wraps=partner_create) as service:
        response = superuser_client.post(
            reverse("admin:partners_partner_add"),
            {
                "name": "Litware Cloud",
                "partner_id": "7700007",
                "country": "DE",
                "cloud": "public",
                "partner_type": "direct_bill",
                "verified_domain": "litware.example",
            },
        )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    service.assert_called_once()
    partner = Partner.objects.get(partner_id="7700007")
    assert partner.market_region  # derived by the service from the country
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_CREATED, target_id=str(partner.pk))
    assert event.actor.email == "root@partnercenter.example"
    change = superuser_client.get(reverse("admin:partners_partner_change", args=[partner.pk]))
    assert change.context["has_change_permission"] is False  # afterwards read-only


def test_superuser_adds_a_customer_through_customer_create(superuser_client):
    with mock.patch("staff.customers_admin.customer_create", wraps=customer_create) as service:
        response = superuser_client.post(
            reverse("admin:customers_customer_add"),
            {
                "company_name": "Fourth Coffee",
                "primary_domain": "FourthCoffee.Example",
                "country": "US",
                "cloud": "public",
                "language": "en",
            },
        )
    assert response.status_code == 302
    service.assert_called_once()
    customer = Customer.objects.get(company_name="Fourth Coffee")
    assert customer.primary_domain == "fourthcoffee.example"
    assert AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CREATED, customer=customer).exists()


def test_an_accepted_agreement_version_no_longer_changes(superuser_client):
    fresh, accepted = AgreementVersionFactory(), AgreementVersionFactory()
    AgreementAcceptanceFactory(agreement=accepted)
    fresh_page = superuser_client.get(reverse("admin:customers_agreementversion_change", args=[fresh.pk]))
    accepted_page = superuser_client.get(reverse("admin:customers_agreementversion_change", args=[accepted.pk]))
    assert fresh_page.context["has_change_permission"] is True
    assert accepted_page.context["has_change_permission"] is False
    assert accepted_page.context["has_delete_permission"] is False


def test_auditor_cannot_add_anything(auditor_client):
    for name in ("partners_partner", "customers_customer", "customers_agreementversion", "accounts_user"):
        assert auditor_client.get(reverse(f"admin:{name}_add")).status_code == 403
