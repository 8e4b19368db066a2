"""Duplicate and existing-customer detection before any invitation (issue 10, item 2): each rule, in the
service, the request page, the API and bulk; by domain (case-insensitive, IDNA), tenant and recipient email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from invitation_batches.choices import RowStatus
from invitation_batches.services import invitation_batch_confirm
from invitations.closing import invitation_cancel
from invitations.create_services import invitation_create
from invitations.drafts import invitation_draft
from invitations.duplicates import duplicate_findings
from invitations.errors import InvitationError
from invitations.models import Invitation
from relationships.choices import RelationshipStatus
from tests.api.conftest import KeyClient
from tests.factories import CustomerFactory, CustomerMembershipFactory, PartnerFactory, RelationshipFactory, UserFactory
from tests.invitation_batches.conftest import csv_text, good_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(partner_a):  # type: ignore[no-untyped-def]
    """A customer of partner_a with an internationalised domain and a global admin."""
    customer = CustomerFactory(company_name="Bücher AG", primary_domain="xn--bcher-kva.example", country="JP")
    CustomerMembershipFactory(customer=customer, user=UserFactory(email="admin@xn--bcher-kva.example"))
    RelationshipFactory(partner=partner_a.partner, customer=customer, status=RelationshipStatus.ACTIVE)
    return customer


def codes(findings) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in findings]


@pytest.mark.parametrize("domain", ["xn--bcher-kva.example", "BÜCHER.example", "bücher.EXAMPLE."])
def test_already_your_customer_by_domain_case_insensitive_and_idna(partner_a, mine, domain):  # type: ignore[no-untyped-def]
    findings = duplicate_findings(partner=partner_a.partner, target_domain=domain)
    assert codes(findings) == ["already_customer"] and findings[0].customer == mine and findings[0].blocking
    with pytest.raises(InvitationError) as error:
        invitation_create(membership=partner_a.admin, include_delegated_admin=False, target_domain=domain)
    assert error.value.code == "already_customer"


def test_already_your_customer_by_the_recipients_tenant(partner_a, mine):  # type: ignore[no-untyped-def]
    findings = duplicate_findings(partner=partner_a.partner, recipient_email="ADMIN@xn--bcher-kva.example")
    assert codes(findings) == ["already_customer"]
    with pytest.raises(InvitationError) as error:
        invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="Admin@xn--bcher-kva.example")
    assert error.value.code == "already_customer" and "Bücher AG" in error.value.message


def test_a_pending_invitation_from_you_blocks_a_second_one_until_cancelled(partner_a):  # type: ignore[no-untyped-def]
    first = invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="cio@new.example")
    for kwargs in ({"recipient_email": "CIO@new.example"}, ):
        findings = duplicate_findings(partner=partner_a.partner, **kwargs)
        assert codes(findings) == ["pending_invitation"] and findings[0].invitation == first
        with pytest.raises(InvitationError) as error:
            invitation_create(membership=partner_a.admin, include_delegated_admin=False, **kwargs)
        assert error.value.code == "pending_invitation" and "resend it instead" in error.value.message
    pinned = invitation_create(membership=partner_a.admin, include_delegated_admin=False, target_domain="Pinned.example")
    assert codes(duplicate_findings(partner=partner_a.partner, target_domain="pinned.EXAMPLE")) == ["pending_invitation"]
    invitation_cancel(invitation=first, membership=partner_a.admin)
    invitation_cancel(invitation=pinned, membership=partner_a.admin)
    assert duplicate_findings(partner=partner_a.partner, recipient_email="cio@new.example", target_domain="pinned.example") == []
    invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="cio@new.example")


def test_another_partners_pending_invitation_does_not_block(partner_a, partner_b):  # type: ignore[no-untyped-def]
    invitation_create(membership=partner_b.admin, include_delegated_admin=True, recipient_email="cio@shared.example")
    assert duplicate_findings(partner=partner_a.partner, recipient_email="cio@shared.example") == []


def test_other_partners_are_information_only(partner_a):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(company_name="Shared Co", primary_domain="shared.example", country="JP")
    for _ in range(2):
        RelationshipFactory(partner=PartnerFactory(country="JP"), customer=customer, status=RelationshipStatus.ACTIVE)
    findings = duplicate_findings(partner=partner_a.partner, target_domain="SHARED.example")
    assert codes(findings) == ["other_partners"] and not findings[0].blocking
    assert "2 other partner" in findings[0].message
    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=False, target_domain="shared.example")
    assert invitation.target_domain == "shared.example"


def test_the_request_page_links_to_the_customer_and_offers_resend(client, partner_a, mine):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    page = reverse("invitations:request", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.post(page, {"language": "en", "target_domain": "BÜCHER.example"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-finding="already_customer"' in html
    assert reverse("relationships:customer", kwargs={"partner_id": partner_a.partner.partner_id, "tenant_id": mine.tenant_id}) in html

    pending = invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="cio@new.example")
    response = client.post(page, {"language": "en", "recipient_email": "cio@new.example"})
    html = response.content.decode()
    assert 'data-finding="pending_invitation"' in html
    assert reverse("invitations:resend", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": pending.pk}) in html
    assert Invitation.objects.count() == 1


def test_the_request_page_tells_about_other_partners_after_creating(client, partner_a):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(company_name="Shared Co", primary_domain="shared.example", country="JP")
    RelationshipFactory(partner=PartnerFactory(country="JP"), customer=customer, status=RelationshipStatus.ACTIVE)
    client.force_login(partner_a.admin.user)
    page = reverse("invitations:request", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.post(page, {"language": "en", "target_domain": "shared.example"}, follow=True)
    assert "already works with 1 other partner" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_the_api_refuses_duplicates_with_the_rule_code(partner_a, mine, issue_key):  # type: ignore[no-untyped-def]
    _key, token = issue_key(partner_a.admin, ["invitations:write"])
    api = KeyClient(token)
    response = api.post("/api/v1/invitations", {"include_delegated_admin": False, "target_domain": "Bücher.example"})
    assert response.status_code == 422 and response.json()["code"] == "already_customer"
    assert api.post("/api/v1/invitations", {"include_delegated_admin": False, "recipient_email": "x@new.example"}).status_code == 201
    response = api.post("/api/v1/invitations", {"include_delegated_admin": False, "recipient_email": "X@new.example"})
    assert response.status_code == 422 and response.json()["code"] == "pending_invitation"


def test_bulk_applies_the_same_rules(partner_a, mine, upload):  # type: ignore[no-untyped-def]
    invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="cio@new.example")
    batch = upload(csv_text([good_row(1, domain="BÜCHER.example"), good_row(2, recipient_email="admin@xn--bcher-kva.example"),
                             good_row(3, recipient_email="Cio@New.example")]))
    assert [[e["code"] for e in row.errors] for row in batch.rows.order_by("line")] == [
        ["already_customer"], ["already_customer"], ["pending_invitation"]]


def test_a_new_invitation_does_not_warn_about_itself_but_a_second_one_to_the_same_address_does(client, partner_a):  # type: ignore[no-untyped-def]
    client.force_login(partner_a.admin.user)
    page = reverse("invitations:request", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.post(page, {"language": "en", "recipient_email": "cio@fresh.example"}, follow=True)
    first = Invitation.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": first.pk})
    draft = response.content.decode()
    assert "resend it instead" not in draft and 'data-finding="pending_invitation"' not in draft

    response = client.post(page, {"language": "en", "recipient_email": "CIO@fresh.example"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-finding="pending_invitation"' in html and "resend it instead" in html
    assert reverse("invitations:resend", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": first.pk}) in html
    assert Invitation.objects.count() == 1


def test_saving_or_sending_the_draft_does_not_warn_about_the_invitation_itself(client, partner_a):  # type: ignore[no-untyped-def]
    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="cio@fresh.example")
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk})
    subject, body = invitation_draft(invitation)
    for action in ("save", "send"):
        response = client.post(url, {"action": action, "subject": subject, "body": body,
                                     "recipient_email": "cio@fresh.example"}, follow=True)
        html = response.content.decode()
        assert response.status_code == 200 and ("Draft saved." in html or "Email queued" in html)
        assert "resend it instead" not in html


def test_the_service_reports_only_information_findings_on_the_invitation_it_created(partner_a):  # type: ignore[no-untyped-def]
    fresh = invitation_create(membership=partner_a.admin, include_delegated_admin=False, recipient_email="cio@fresh.example")
    assert fresh.duplicate_findings == []
    customer = CustomerFactory(company_name="Shared Co", primary_domain="shared.example", country="JP")
    RelationshipFactory(partner=PartnerFactory(country="JP"), customer=customer, status=RelationshipStatus.ACTIVE)
    shared = invitation_create(membership=partner_a.admin, include_delegated_admin=False, target_domain="shared.example")
    assert codes(shared.duplicate_findings) == ["other_partners"]
    with pytest.raises(InvitationError) as error:
        invitation_create(membership=partner_a.admin, include_delegated_admin=False, target_domain="SHARED.example")
    assert codes(error.value.findings) == ["pending_invitation", "other_partners"]
    assert error.value.findings[0].invitation == shared


def test_the_api_and_bulk_do_not_count_the_new_invitation_against_itself(partner_a, upload, issue_key,  # type: ignore[no-untyped-def]
                                                                         django_capture_on_commit_callbacks):
    _key, token = issue_key(partner_a.admin, ["invitations:write"])
    response = KeyClient(token).post("/api/v1/invitations", {"include_delegated_admin": False, "recipient_email": "api@fresh.example"})
    assert response.status_code == 201 and "resend it instead" not in response.content.decode()
    batch = upload(csv_text([good_row(1, recipient_email="bulk@fresh.example")]))
    assert [(row.errors, row.notices) for row in batch.rows.all()] == [([], [])]
    with django_capture_on_commit_callbacks(execute=True):
        invitation_batch_confirm(batch=batch, membership=partner_a.admin)
    row = batch.rows.get()
    assert (row.status, row.error_code, row.invitation.recipient_email) == (RowStatus.CREATED, "", "bulk@fresh.example")
