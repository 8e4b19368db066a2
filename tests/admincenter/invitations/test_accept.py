"""Customer side: the link shows, sign-in, tenant, agreement, accept or decline — and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from customers.models import AgreementAcceptance, Customer, CustomerMembership
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from invitations.relationship_links import relationship_link_rotate
from relationships.models import DelegatedAdminGrant, Relationship
from tests.factories import CustomerMembershipFactory, UserFactory

REVIEW = "/r/"


def accept_new_tenant(client, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "action": "accept", "tenant": "new", "company_name": "Northwind Traders", "primary_domain": "northwind.example",
        "country": "JP", "signer_name": "Ada Admin", "signer_email": "ada@northwind.example", "agreement_accepted": "on",
        **overrides,
    }
    return client.post(REVIEW, data, HTTP_USER_AGENT="Mozilla/5.0 (Test)", REMOTE_ADDR="198.51.100.23")


def test_link_shows_who_asks_what_and_until_when_without_changing_anything(client, make_invitation, open_link, partner_a):
    invitation = make_invitation()
    for _ in range(10):  # link scanners and previews: GETs without cookies
        client.cookies.clear()
        page = open_link(invitation)
        assert page.status_code == 200
    body = page.content.decode()
    assert partner_a.partner.name in body and partner_a.partner.verified_domain in body
    assert "User Administrator" in body and "730" in body
    assert "Customer admin center" in body
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not AuditEvent.objects.filter(action__startswith="invitation.accept").exists()


def test_token_leaves_the_url_before_the_page_renders(client, make_invitation, open_link):
    invitation = make_invitation()
    redirect = open_link(invitation, follow=False)
    assert redirect.url == REVIEW


def test_unknown_expired_cancelled_and_used_links_look_the_same(client, make_invitation, open_link, partner_a, agreement):
    from invitations.closing import invitation_cancel

    cancelled = make_invitation()
    invitation_cancel(invitation=cancelled, membership=partner_a.admin)
    expiring = make_invitation()
    used = make_invitation()
    user = UserFactory(email="ada@northwind.example")
    client.force_login(user)
    open_link(used)
    accept_new_tenant(client)
    client.logout()
    pages = [client.get(client.get("/r/" + "x" * 43).url), open_link(cancelled), open_link(used)]
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        pages.append(open_link(expiring))
    assert {p.status_code for p in pages} == {404}
    assert len({p.templates[0].name for p in pages}) == 1


def test_new_user_creates_the_tenant_accepts_the_agreement_and_becomes_the_customer(
    client, make_invitation, open_link, partner_a, agreement, django_capture_on_commit_callbacks
):
    invitation = make_invitation()
    user = UserFactory(email="ada@northwind.example")
    client.force_login(user)
    open_link(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        response = accept_new_tenant(client)
    assert response.status_code == 200, response.content.decode()[:2000]
    customer = Customer.objects.get(primary_domain="northwind.example")
    assert customer.cloud == partner_a.partner.cloud
    assert CustomerMembership.objects.get(customer=customer, user=user).role == "global_admin"
    relationship = Relationship.objects.get(partner=partner_a.partner, customer=customer)
    assert relationship.established_by_id == invitation.pk
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.customer == customer and invitation.accepted_by == user
    grant = DelegatedAdminGrant.objects.get(partner=partner_a.partner, customer=customer)
    assert grant.status == "approval_pending" and grant.roles == invitation.requested_roles
    acceptance = AgreementAcceptance.objects.get(customer=customer)
    assert (acceptance.ip_address, acceptance.user_agent, acceptance.signer_name) == ("198.51.100.23", "Mozilla/5.0 (Test)", "Ada Admin")
    assert acceptance.agreement.version == "2026-01"
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["ada@northwind.example", "admin@contoso.example"]  # customer confirmation + partner notice
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.accepted", "relationship.established", "agreement.accepted", "grant.requested", "customer.created"} <= actions


def test_acceptance_without_the_agreement_is_refused_and_changes_nothing(client, make_invitation, open_link, agreement):
    invitation = make_invitation()
    client.force_login(UserFactory(email="ada@northwind.example"))
    open_link(invitation)
    response = accept_new_tenant(client, agreement_accepted="", signer_name="")
    assert response.status_code == 400
    assert "customer agreement" in response.content.decode()
    assert not Customer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_existing_tenant_that_already_accepted_the_agreement_is_not_asked_again(client, make_invitation, open_link, customer_a, agreement):
    AgreementAcceptance.objects.create(customer=customer_a.customer, agreement=agreement, acceptor_kind="customer_user",
                                       signer_name="x", signer_email="x@example.com")
    invitation = make_invitation()
    client.force_login(customer_a.user)
    page = open_link(invitation)
    assert "I accept the customer agreement" not in page.content.decode()
    response = client.post(REVIEW, {"action": "accept", "tenant": str(customer_a.customer.tenant_id)})
    assert response.status_code == 200
    assert Relationship.objects.filter(customer=customer_a.customer).count() == 1
    assert AgreementAcceptance.objects.filter(customer=customer_a.customer).count() == 1


def test_only_a_global_admin_of_the_tenant_may_accept(client, make_invitation, open_link, customer_a, agreement):
    billing = CustomerMembershipFactory(customer=customer_a.customer, role="billing_admin")
    invitation = make_invitation()
    client.force_login(billing.user)
    page = open_link(invitation).content.decode()
    assert "Only a global admin" in page
    response = client.post(REVIEW, {"action": "accept", "tenant": str(customer_a.customer.tenant_id), "agreement_accepted": "on", "signer_name": "B"})
    assert response.status_code == 400
    assert "Only a global admin" in response.content.decode()
    assert not Relationship.objects.exists()


def test_pinned_email_refuses_another_account(client, make_invitation, open_link, agreement):
    invitation = make_invitation(recipient_email="cio@northwind.example")
    client.force_login(UserFactory(email="someone.else@northwind.example"))
    page = open_link(invitation).content.decode()
    assert "you are signed in as someone.else@northwind.example" in page
    accept_new_tenant(client)
    assert not Relationship.objects.exists()


def test_pinned_domain_refuses_another_tenant(client, make_invitation, open_link, customer_a, agreement):
    invitation = make_invitation(target_domain="tailspin.example")
    client.force_login(customer_a.user)
    assert "not northwind.example" in open_link(invitation).content.decode()
    response = client.post(REVIEW, {"action": "accept", "tenant": str(customer_a.customer.tenant_id), "agreement_accepted": "on", "signer_name": "x"})
    assert response.status_code == 400
    assert not Relationship.objects.exists()


def test_partner_cannot_accept_its_own_invitation(client, make_invitation, open_link, partner_a, agreement):
    invitation = make_invitation()
    client.force_login(partner_a.sales.user)
    assert "cannot accept its own invitation" in open_link(invitation).content.decode()
    accept_new_tenant(client)
    assert not Relationship.objects.exists()


def test_market_rule_is_checked_at_acceptance_with_the_explanation(client, make_invitation, open_link, agreement):
    invitation = make_invitation()
    client.force_login(UserFactory(email="cio@tailspin.example"))
    open_link(invitation)
    response = accept_new_tenant(client, company_name="Tailspin", primary_domain="tailspin.example", country="US")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Japan" in body and "United States" in body
    assert not Customer.objects.exists()


def test_unverified_email_cannot_accept(client, make_invitation, open_link, agreement):
    invitation = make_invitation()
    client.force_login(UserFactory(email="new@northwind.example", verified=False))
    open_link(invitation)
    response = accept_new_tenant(client)
    assert response.status_code == 400
    assert "Verify your email" in response.content.decode()


def test_anonymous_post_changes_nothing(client, make_invitation, open_link):
    invitation = make_invitation()
    open_link(invitation)
    response = client.post(REVIEW, {"action": "accept", "tenant": "new"})
    assert response.status_code == 302 and reverse("account_login") in response.url
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_decline_records_the_reason_and_tells_the_partner(client, make_invitation, open_link, django_capture_on_commit_callbacks):
    invitation = make_invitation()
    client.force_login(UserFactory(email="cio@northwind.example"))
    open_link(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REVIEW, {"action": "decline", "reason": "We already have a reseller"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED and invitation.decline_reason == "We already have a reseller"
    assert [m.to for m in mail.outbox] == [["admin@contoso.example"]]
    assert "We already have a reseller" in mail.outbox[0].body


def test_reusable_link_lets_each_tenant_create_its_own_relationship(client, partner_a, open_link, agreement):
    link = relationship_link_rotate(membership=partner_a.admin, include_delegated_admin=False)
    from invitations.links import relationship_link_url

    path = "/" + relationship_link_url(link).split("://", 1)[1].split("/", 1)[1]
    for n, (domain, email) in enumerate([("one.example", "a@one.example"), ("two.example", "b@two.example")]):
        client.force_login(UserFactory(email=email))
        client.get(path)
        response = accept_new_tenant(client, company_name=f"Tenant {n}", primary_domain=domain)
        assert response.status_code == 200
    assert Relationship.objects.filter(partner=partner_a.partner).count() == 2
    assert Invitation.objects.filter(source="reusable_link", status="accepted").count() == 2
    relationship_link_rotate(membership=partner_a.admin)
    client.get(path)
    assert client.get(REVIEW).status_code == 404  # rotated: the old link is dead


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_expired_invitation_cannot_be_answered(client, make_invitation, open_link, action, agreement):
    invitation = make_invitation()
    client.force_login(UserFactory(email="ada@northwind.example"))
    open_link(invitation)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = accept_new_tenant(client, action=action)
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_the_page_has_one_decline_action_and_the_reason_goes_with_it(client, make_invitation, open_link, django_capture_on_commit_callbacks):
    """Issue 22 item 5: one Decline button (in the answer's own form, with an optional reason), not two."""
    invitation = make_invitation()
    client.force_login(UserFactory(email="cio@northwind.example"))
    body = open_link(invitation).content.decode()
    assert body.count('value="decline"') == 1 and 'href="#decline"' not in body
    assert body.count(">Decline<") == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REVIEW, {"action": "decline", "tenant": "new", "reason": "Not now"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED and invitation.decline_reason == "Not now"


def test_a_new_tenant_is_preselected_when_it_is_the_only_valid_choice(client, make_invitation, open_link, customer_a, agreement):
    invitation = make_invitation(target_domain="tailspin.example")
    # customer_a's tenant (northwind.example) is refused for a request pinned to tailspin: "new" is the only choice
    client.force_login(customer_a.user)
    body = open_link(invitation).content.decode()
    assert "not northwind.example" in body and 'id="tenant-new" value="new" checked' in body


def test_the_agreement_is_a_full_versioned_text_in_both_languages(client, make_invitation, open_link):
    """The acceptance form shows the agreement's full text in a scrollable region and links its own page."""
    from customers.agreement_documents import agreement_document
    from customers.models import AgreementVersion

    for language in ("en", "ja"):
        document = agreement_document("2026-01", language)
        assert len(document.text) > 1500 and document.text.count("## ") == 10, language
        AgreementVersion.objects.create(version=document.version, language=language, title=document.title, text=document.text)
    invitation = make_invitation()
    client.force_login(UserFactory(email="cio@northwind.example"))
    body = open_link(invitation).content.decode()
    assert 'data-agreement-text' in body and "<h3 class=\"h6 mt-3 fw-semibold\">9. Liability and law</h3>" in body
    assert 'href="/agreement/2026-01/?language=en"' in body
    page = client.get("/agreement/2026-01/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "<h2 class=\"h6 mt-3 fw-semibold\">10. Language</h2>" in page.content.decode()
    client.cookies["django_language"] = "ja"
    japanese = client.get("/agreement/2026-01/").content.decode()
    assert "カスタマー契約" in japanese and "準拠法" in japanese and 'href="?language=en"' in japanese
    assert "Liability" in client.get("/agreement/2026-01/?language=en").content.decode()
    assert client.get("/agreement/1999-01/").status_code == 404
    assert client.get("/agreement/2026-01/?language=xx").status_code == 200  # an unknown language: the page's own
