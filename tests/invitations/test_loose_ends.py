"""Issue 21: every surface says what really happened, in the user's language (the flow's loose ends)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from invitations.draft_markers import expires_on
from invitations.drafts import invitation_draft
from invitations.send_services import invitation_resend, invitation_send
from notifications.models import OutboxMessage
from partnercenter.sealing import unseal

pytestmark = pytest.mark.django_db


def last_invitation_email() -> dict[str, str]:
    return unseal(OutboxMessage.objects.filter(template="invitations/email/invitation").latest("pk").sealed_body)


# --- Item 2: a resent email says the new expiry date, in the body as in the footer ---------------


def test_a_resent_email_says_the_new_expiry_date_in_the_body_and_the_footer(partner_a, make_invitation):
    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    first_expiry = expires_on(invitation)  # "5 Jan 2027": the page's date format, in the email's language
    assert f"valid until {first_expiry}" in body
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="it@northwind.example")
    with time_machine.travel(invitation.expires_at - timedelta(days=20)):  # ten days after creating
        invitation.refresh_from_db()
        resent = invitation_resend(invitation=invitation, membership=partner_a.admin)
    new_expiry = expires_on(resent)
    assert new_expiry != first_expiry
    text = last_invitation_email()["text"]
    body_part, footer = text.rsplit("-- ", 1)
    assert f"valid until {new_expiry}" in body_part and not re.search(rf"(?<!\d){re.escape(first_expiry)}", body_part)
    assert f"expires on {new_expiry}" in footer
    assert f"valid until {new_expiry}" in invitation_draft(resent)[1]  # the draft page and "open in email app" too


def test_a_draft_edited_by_the_partner_keeps_following_the_expiry(partner_a, make_invitation):
    from invitations.drafts import invitation_draft_save

    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    invitation_draft_save(invitation=invitation, membership=partner_a.admin, subject=subject, body="Dear CIO,\n" + body)
    with time_machine.travel(invitation.expires_at - timedelta(days=20)):
        invitation.refresh_from_db()
        resent = invitation_resend(invitation=invitation, membership=partner_a.admin)
    body = invitation_draft(resent)[1]
    assert body.startswith("Dear CIO,") and f"valid until {expires_on(resent)}" in body


# --- Item 3: an email is written entirely in its own language ------------------------------------


def test_a_japanese_invitation_created_from_english_screens_names_roles_and_portal_in_japanese(partner_a, make_invitation):
    from django.utils import translation

    with translation.override("en"):  # the partner's screens are in English
        invitation = make_invitation(language="ja", include_delegated_admin=True)
        _subject, body = invitation_draft(invitation)
    assert "ユーザー管理者" in body and "顧客向け管理センター" in body
    assert "User Administrator" not in body and "Customer admin center" not in body


def test_the_japanese_grant_emails_name_the_roles_in_japanese(partner_a, customer_a, django_capture_on_commit_callbacks):
    from django.utils import timezone, translation

    from partnercenter.directory_roles import BUNDLES
    from relationships.models import DelegatedAdminGrant, Relationship
    from relationships.services import grant_approve

    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    for user in (partner_a.admin.user, customer_a.user):
        user.preferred_language = "ja"
        user.save(update_fields=["preferred_language"])
    grant = DelegatedAdminGrant.objects.create(
        partner=partner_a.partner, customer=customer_a.customer, display_name="Northwind support",
        roles=list(BUNDLES["user_management"][1]), duration_days=30, request_expires_at=timezone.now() + timedelta(days=9))
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        grant_approve(grant=grant, user=customer_a.user)
    emails = OutboxMessage.objects.filter(template="relationships/email/grant_event", recipient=partner_a.admin.user.email)
    assert emails.exists()
    for email in emails:
        text = unseal(email.sealed_body)["text"]
        assert "ユーザー管理者" in text and "User Administrator" not in text, text


def test_email_render_names_lazy_labels_in_the_emails_language():
    from django.utils import translation

    from notifications.services import email_render
    from partnercenter.directory_roles import role_labels

    with translation.override("en"):
        rendered = email_render(template="relationships/email/grant_event", language="ja", context={
            "event": "approved", "audience": "partner", "partner_name": "Contoso", "customer_name": "Northwind",
            "display_name": "x", "roles": role_labels(["fe930be7-5e62-47db-91af-98c3a49a38b1"]), "ends_on": "2027-01-01",
            "reason": "", "days_left": None, "partner_url": "https://x.example/", "customer_url": "https://x.example/"})
    assert "ユーザー管理者" in rendered.text and "User Administrator" not in rendered.text


# --- Item 10: checking a typed domain discloses nothing about another's tenant ---------------------


@pytest.mark.parametrize(("country", "cloud", "code"), [("US", "public", "market_mismatch"), ("JP", "us_gov", "cloud_mismatch")])
def test_checking_a_typed_domain_never_names_another_tenant_nor_its_country_or_cloud(client, partner_a, country, cloud, code):
    from django.urls import reverse

    from invitations.create_services import invitation_create
    from invitations.errors import InvitationError
    from partners.choices import Cloud
    from tests.factories import CustomerFactory

    CustomerFactory(company_name="Hidden Holdings", primary_domain="hidden.example", country=country, cloud=cloud)
    with pytest.raises(InvitationError) as refused:
        invitation_create(membership=partner_a.admin, include_delegated_admin=False, target_domain="hidden.example")
    assert refused.value.code == code
    client.force_login(partner_a.admin.user)
    page = client.post(reverse("invitations:request", kwargs={"partner_id": partner_a.partner.partner_id}),
                       {"language": "en", "target_domain": "hidden.example"}).content.decode()
    for said in (refused.value.message, page):
        assert "hidden.example" in said
        assert "Hidden Holdings" not in said and "United States" not in said
        assert str(Cloud(cloud).label) not in said or cloud == partner_a.partner.cloud


def test_other_partners_finding_does_not_name_a_tenant_that_is_not_yours(partner_a):
    from invitations.duplicates import duplicate_findings
    from relationships.choices import RelationshipStatus
    from tests.factories import CustomerFactory, PartnerFactory, RelationshipFactory

    customer = CustomerFactory(company_name="Shared Co", primary_domain="shared.example", country="JP")
    RelationshipFactory(partner=PartnerFactory(country="JP"), customer=customer, status=RelationshipStatus.ACTIVE)
    [finding] = duplicate_findings(partner=partner_a.partner, target_domain="shared.example")
    assert "Shared Co" not in finding.message and "shared.example" in finding.message



# --- Item 7: sign-up from a pinned invitation takes only the pinned address ------------------------


def test_signing_up_from_a_pinned_invitation_with_another_address_is_refused_with_the_reason(
    client, partner_a, make_invitation, open_link, django_capture_on_commit_callbacks,
):
    from django.urls import reverse

    from accounts.models import User

    invitation = make_invitation(recipient_email="a@northwind.example")
    open_link(invitation)
    password = "a-long-unique-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{reverse('account_signup')}?next=/r/&email=a%40northwind.example",
                               {"email": "b@elsewhere.example", "password1": password, "password2": password, "next": "/r/"})
    assert response.status_code == 200
    assert "The invitation you opened is for a@northwind.example" in response.content.decode()
    assert not User.objects.filter(email="b@elsewhere.example").exists()
    assert not client.session.get("_auth_user_id")
    with django_capture_on_commit_callbacks(execute=True):
        pinned = client.post(f"{reverse('account_signup')}?next=/r/",
                             {"email": "A@Northwind.example", "password1": password, "password2": password, "next": "/r/"})
    assert pinned.status_code == 302 and User.objects.filter(email="a@northwind.example").exists()


def test_an_invitation_without_an_address_takes_any_address(client, partner_a, make_invitation, open_link, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from accounts.models import User

    open_link(make_invitation())
    password = "a-long-unique-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{reverse('account_signup')}?next=/r/",
                               {"email": "b@elsewhere.example", "password1": password, "password2": password, "next": "/r/"})
    assert response.status_code == 302 and User.objects.filter(email="b@elsewhere.example").exists()


# --- Item 8: acceptance tells what happened, and refuses what would change nothing -----------------


def _accepted_emails() -> dict[str, str]:
    return {m.template: m.subject + "\n" + unseal(m.sealed_body)["text"] for m in OutboxMessage.objects.filter(
        template__in=["invitations/email/customer_accepted", "invitations/email/partner_accepted"])}


def _accept_existing(client, open_link, invitation, customer_a):  # type: ignore[no-untyped-def]
    client.force_login(customer_a.user)
    review = open_link(invitation).content.decode()
    return review, client.post("/r/", {"action": "accept", "tenant": str(customer_a.customer.tenant_id)})


@pytest.fixture
def existing_customer(partner_a, customer_a, agreement):  # type: ignore[no-untyped-def]
    from customers.models import AgreementAcceptance
    from relationships.models import Relationship

    AgreementAcceptance.objects.create(customer=customer_a.customer, agreement=agreement, acceptor_kind="customer_user",
                                       signer_name="x", signer_email="x@example.com")
    return Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)


def test_accepting_a_request_for_admin_roles_says_so_on_the_page_and_in_both_emails(
    client, partner_a, customer_a, existing_customer, open_link, django_capture_on_commit_callbacks,
):
    from invitations.choices import InvitationKind
    from invitations.create_services import invitation_create
    from partnercenter.directory_roles import BUNDLES

    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True, kind=InvitationKind.DELEGATED_ADMIN,
                                   customer=customer_a.customer, roles=list(BUNDLES["helpdesk"][1]), duration_days=60)
    with django_capture_on_commit_callbacks(execute=True):
        review, done = _accept_existing(client, open_link, invitation, customer_a)
    assert "asks to be your reseller" not in review and "asks for admin roles" in review
    assert done.status_code == 200
    page = done.content.decode()
    assert "is now the reseller" not in page and "You accepted the request of Contoso Cloud for admin roles" in page
    emails = _accepted_emails()
    assert set(emails) == {"invitations/email/customer_accepted", "invitations/email/partner_accepted"}
    for text in emails.values():
        assert "is now the reseller" not in text and "is now its reseller" not in text and "reseller request" not in text, text
        assert "admin roles" in text


def test_a_plain_invitation_to_an_existing_customer_is_refused_and_nothing_is_sent(
    client, partner_a, customer_a, existing_customer, open_link, make_invitation, django_capture_on_commit_callbacks,
):
    from audit.models import AuditEvent
    from invitations.choices import InvitationStatus
    from relationships.models import Relationship

    invitation = make_invitation(include_delegated_admin=False)  # no address, no domain: nothing to tell it is a customer
    with django_capture_on_commit_callbacks(execute=True):
        review, refused = _accept_existing(client, open_link, invitation, customer_a)
    assert "accepting would change nothing" in review  # said on the page, before the click
    assert refused.status_code == 400
    assert "is already the reseller of Northwind: accepting would change nothing" in refused.content.decode()
    assert "is now the reseller" not in refused.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert Relationship.objects.filter(customer=customer_a.customer).count() == 1
    assert _accepted_emails() == {} and not AuditEvent.objects.filter(action="invitation.accepted").exists()


def test_a_reseller_invitation_with_admin_roles_to_an_existing_customer_says_only_the_roles_are_new(
    client, partner_a, customer_a, existing_customer, open_link, make_invitation, django_capture_on_commit_callbacks,
):
    invitation = make_invitation(include_delegated_admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        _review, done = _accept_existing(client, open_link, invitation, customer_a)
    assert done.status_code == 200
    assert "is already the reseller of Northwind: nothing changed" in done.content.decode()
    for text in _accepted_emails().values():
        assert "is now the reseller" not in text and "is now its reseller" not in text, text
