"""A partner's domain shows as verified only once proven: its DNS TXT record, or staff in admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from partnercenter.errors import DomainError
from partners.choices import DomainProofMethod
from partners.domain_services import DomainVerificationError, partner_domain_check, partner_domain_verify_by_staff
from partners.domain_verification import domain_txt_record
from tests.partners.dns_server import LocalDnsServer


@pytest.fixture
def dns_server(settings):  # type: ignore[no-untyped-def]
    server = LocalDnsServer().start()
    settings.DOMAIN_VERIFICATION_NAMESERVERS = [f"127.0.0.1:{server.port}"]
    settings.DOMAIN_VERIFICATION_DNS_TIMEOUT_SECONDS = 30.0  # a local server that answers: only a ceiling
    yield server
    server.stop()


def domain_page(partner) -> str:  # type: ignore[no-untyped-def]
    return reverse("partners:domain", kwargs={"partner_id": partner.partner_id})


def test_new_partner_domain_is_not_verified(partner_a):
    assert partner_a.partner.domain_is_verified is False


def test_the_right_txt_record_proves_the_domain(partner_a, dns_server):
    record = domain_txt_record(partner_a.partner)
    assert record.name == f"_partnercenter-challenge.{partner_a.partner.verified_domain}"
    dns_server.records[record.name] = ["v=spf1 -all", record.value]
    proof = partner_domain_check(membership=partner_a.admin)
    assert proof.newly_proven
    partner_a.partner.refresh_from_db()
    assert partner_a.partner.domain_is_verified and partner_a.partner.domain_proof_method == DomainProofMethod.DNS
    assert dns_server.queries == [record.name]
    event = AuditEvent.objects.get(action="partner.domain_verified")
    assert event.partner_id == partner_a.partner.pk and event.data["after"]["method"] == "dns"
    assert partner_domain_check(membership=partner_a.admin).newly_proven is False  # no second event
    assert AuditEvent.objects.filter(action="partner.domain_verified").count() == 1


@pytest.mark.parametrize("published", [["partnercenter-verification=0000wrong0000"], ["v=spf1 -all"]])
def test_a_wrong_txt_record_does_not_prove_the_domain(partner_a, dns_server, published):
    dns_server.records[domain_txt_record(partner_a.partner).name] = published
    with pytest.raises(DomainVerificationError) as caught:
        partner_domain_check(membership=partner_a.admin)
    assert caught.value.code == "record_missing"
    partner_a.partner.refresh_from_db()
    assert not partner_a.partner.domain_is_verified
    assert not AuditEvent.objects.filter(action="partner.domain_verified").exists()


def test_a_missing_record_does_not_prove_the_domain(partner_a, dns_server):
    with pytest.raises(DomainVerificationError) as caught:
        partner_domain_check(membership=partner_a.admin)
    assert caught.value.code == "record_missing"
    assert dns_server.queries  # the lookup really went to the local server (NXDOMAIN)
    partner_a.partner.refresh_from_db()
    assert not partner_a.partner.domain_is_verified


def test_another_partners_record_does_not_prove_this_domain(partner_a, partner_b, dns_server):
    dns_server.records[domain_txt_record(partner_a.partner).name] = [domain_txt_record(partner_b.partner).value]
    with pytest.raises(DomainVerificationError):
        partner_domain_check(membership=partner_a.admin)


def test_an_unanswering_dns_server_is_reported_not_taken_as_proof(partner_a, settings):
    import socket

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    settings.DOMAIN_VERIFICATION_NAMESERVERS = [f"127.0.0.1:{silent.getsockname()[1]}"]
    settings.DOMAIN_VERIFICATION_DNS_TIMEOUT_SECONDS = 0.3
    try:
        with pytest.raises(DomainVerificationError) as caught:
            partner_domain_check(membership=partner_a.admin)
    finally:
        silent.close()
    assert caught.value.code == "dns_unavailable"


def test_only_account_admins_may_check(partner_a, dns_server):
    with pytest.raises(DomainError) as caught:
        partner_domain_check(membership=partner_a.sales)
    assert caught.value.code == "forbidden"


def test_settings_page_shows_the_record_and_checks_it(client, partner_a, partner_b, dns_server):
    url = domain_page(partner_a.partner)
    assert client.get(url).status_code == 302  # anonymous → sign in
    client.force_login(partner_a.sales.user)
    assert client.get(url).status_code == 403
    assert client.get(domain_page(partner_b.partner)).status_code == 404
    client.force_login(partner_a.admin.user)
    record = domain_txt_record(partner_a.partner)
    page = client.get(url).content.decode()
    assert record.name in page and record.value in page and "Domain not verified" in page
    response = client.post(url, follow=True)
    assert "No matching TXT record" in response.content.decode()
    dns_server.records[record.name] = [record.value]
    response = client.post(url, follow=True)
    body = response.content.decode()
    assert "is verified" in body and 'data-domain-state="verified"' in body


def test_staff_verification_needs_a_reason_and_is_audited(partner_a, django_user_model):
    staff = django_user_model.objects.create_superuser(email="ops@partnercenter.example", password="x")
    with pytest.raises(DomainVerificationError):
        partner_domain_verify_by_staff(partner=partner_a.partner, staff_user=staff, reason=" ")
    proof = partner_domain_verify_by_staff(partner=partner_a.partner, staff_user=staff, reason="Signed contract checked")
    assert proof.partner.domain_is_verified and proof.partner.domain_proof_method == DomainProofMethod.STAFF
    event = AuditEvent.objects.get(action="partner.domain_verified")
    assert event.actor_id == staff.pk and event.data["reason"] == "Signed contract checked"
