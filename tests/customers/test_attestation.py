"""A direct-bill partner attests that the customer accepted the agreement; the customer is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from customers.models import AgreementAcceptance
from customers.services import CustomerError, customer_needs_agreement
from notifications.models import OutboxMessage
from partnercenter.errors import DomainError, PermissionDeniedError
from partners.choices import PartnerType
from partners.models import Partner
from tests.factories import PASSWORD
from workflows.agreement_attestation import agreement_attest

pytestmark = pytest.mark.django_db


def attest(membership, customer, **kwargs):  # type: ignore[no-untyped-def]
    values = {"signer_name": "Ida Admin", "signer_email": "ida@northwind.example", "accepted_on": timezone.localdate(), **kwargs}
    return agreement_attest(membership=membership, customer=customer, **values)


def test_direct_bill_partner_attests_and_the_customer_is_notified(agent, related, agreement):  # type: ignore[no-untyped-def]
    acceptance = attest(agent, related.customer, accepted_on=timezone.localdate() - timedelta(days=3))
    assert (acceptance.acceptor_kind, acceptance.partner, acceptance.user) == ("partner_attestation", agent.partner, agent.user)
    assert acceptance.accepted_at.date() == timezone.localdate() - timedelta(days=3)
    assert not customer_needs_agreement(customer=related.customer, agreement=agreement)
    assert AuditEvent.objects.get(action="agreement.attested").customer_id == related.customer_id
    recipients = set(OutboxMessage.objects.values_list("recipient", flat=True))
    assert recipients == {"it@northwind.example", "ida@northwind.example"}  # the global admin and the signer


def test_today_is_allowed_and_a_future_date_is_refused(agent, related, agreement):  # type: ignore[no-untyped-def]
    with pytest.raises(CustomerError) as error:
        attest(agent, related.customer, accepted_on=timezone.localdate() + timedelta(days=1))
    assert (error.value.code, error.value.field) == ("date_in_future", "accepted_on")
    assert not AgreementAcceptance.objects.exists() and not OutboxMessage.objects.exists()
    assert attest(agent, related.customer).pk


def test_indirect_reseller_cannot_attest(agent, related, agreement):  # type: ignore[no-untyped-def]
    Partner.objects.filter(pk=agent.partner_id).update(partner_type=PartnerType.INDIRECT_RESELLER)
    agent.partner.refresh_from_db()
    with pytest.raises(CustomerError) as error:
        attest(agent, related.customer)
    assert error.value.code == "indirect_reseller_cannot_attest"
    assert not AgreementAcceptance.objects.exists()


def test_indirect_provider_may_attest(agent, related, agreement):  # type: ignore[no-untyped-def]
    Partner.objects.filter(pk=agent.partner_id).update(partner_type=PartnerType.INDIRECT_PROVIDER)
    agent.partner.refresh_from_db()
    assert attest(agent, related.customer).pk


def test_not_your_customer_and_wrong_role_are_refused(agent, partner_a, customer_b, related, agreement):  # type: ignore[no-untyped-def]
    with pytest.raises(CustomerError) as error:
        attest(agent, customer_b.customer)
    assert error.value.code == "not_your_customer"
    with pytest.raises(PermissionDeniedError):
        attest(partner_a.admin, related.customer)


@pytest.mark.parametrize(("values", "field"), [({"signer_name": " "}, "signer_name"), ({"signer_email": "nope"}, "signer_email")])
def test_signer_must_be_named(agent, related, agreement, values, field):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        attest(agent, related.customer, **values)
    assert error.value.field == field


def test_attestation_page(client, agent, related, agreement):  # type: ignore[no-untyped-def]
    client.login(email=agent.user.email, password=PASSWORD)
    url = reverse("partner_customers:attest", kwargs={"partner_id": agent.partner.partner_id, "tenant_id": related.customer.tenant_id})
    assert client.get(url).status_code == 200
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    refused = client.post(url, {"signer_name": "Ida", "signer_email": "ida@northwind.example", "accepted_on": future})
    assert refused.status_code == 200 and "future" in str(refused.context["form"].errors["accepted_on"])
    done = client.post(url, {"signer_name": "Ida", "signer_email": "ida@northwind.example", "accepted_on": timezone.localdate().isoformat()})
    assert done.status_code == 302 and AgreementAcceptance.objects.count() == 1


def test_attestation_page_for_another_partners_customer_is_404(client, agent, customer_b):  # type: ignore[no-untyped-def]
    client.login(email=agent.user.email, password=PASSWORD)
    url = reverse("partner_customers:attest", kwargs={"partner_id": agent.partner.partner_id, "tenant_id": customer_b.customer.tenant_id})
    assert client.get(url).status_code == 404


def test_an_attestation_of_the_new_version_shows_as_accepted_though_dated_before_the_earlier_acceptance(  # type: ignore[no-untyped-def]
    client, agent, related, agreement,
):
    """Issue 21, item 4: the attestation is dated at noon of the day signed; the customer accepted the
    earlier version that afternoon, before staff published the new one. The row shows the new version."""
    from datetime import UTC, datetime

    import time_machine

    from customers.choices import AgreementAcceptor
    from customers.models import AgreementVersion

    day = timezone.localdate() - timedelta(days=1)
    afternoon = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)
    AgreementVersion.objects.filter(version="2026-01").update(effective_at=afternoon - timedelta(days=30))
    AgreementAcceptance.objects.create(customer=related.customer, agreement=agreement, acceptor_kind=AgreementAcceptor.CUSTOMER_USER,
                                       signer_name="Ida", signer_email="ida@northwind.example", accepted_at=afternoon)
    with time_machine.travel(afternoon + timedelta(hours=1), tick=False):
        AgreementVersion.objects.create(version="2026-12", language="en", title="Customer Agreement", text="New terms.",
                                        effective_at=afternoon + timedelta(minutes=30))
        attest(agent, related.customer, accepted_on=day)
    client.force_login(agent.user)
    page = client.get(reverse("relationships:customer", kwargs={"partner_id": agent.partner.partner_id,
                                                                "tenant_id": related.customer.tenant_id})).content.decode()
    assert "Earlier version" not in page and "2026-12 ·" in page
