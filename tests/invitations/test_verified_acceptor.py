"""Issue 18, item 1: only the mailbox's owner accepts. Holding the link — which the partner holds too
(draft page, API response) — proves nothing; a code sent to the mailbox and typed into the session
that signed up does. Attack path end to end, then the legitimate path through the email actually sent.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction
from django.urls import reverse

from audit.models import AuditEvent
from customers.models import AgreementAcceptance, Customer
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from relationships.models import Relationship
from tests.api.conftest import KeyClient

pytestmark = pytest.mark.django_db

REVIEW = "/r/"
VICTIM = "it@victim.example"
PASSWORD = "a-long-unique-passphrase"


def partner_gets_link_from_api(partner_a, email: str = VICTIM) -> tuple[Invitation, str]:
    """The partner creates the invitation through the API, pinned to the customer: the response carries the link."""
    from partners.api_key_services import api_key_create

    token = api_key_create(membership=partner_a.admin, name="Attack key", scopes=["invitations:write", "invitations:read"]).token
    response = KeyClient(token).post("/api/v1/invitations", {"include_delegated_admin": True, "recipient_email": email})
    assert response.status_code == 201, response.json()
    return Invitation.objects.get(pk=response.json()["id"]), response.json()["link"]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def open_anonymously(client, link: str):  # type: ignore[no-untyped-def]
    opened = client.get(path_of(link))
    assert opened.status_code == 302 and opened.url == REVIEW
    return client.get(REVIEW)


def sign_up(client, email: str, captured, next_url: str = REVIEW):  # type: ignore[no-untyped-def]
    with captured(execute=True):  # the verification email leaves through the outbox after commit
        return client.post(f"{reverse('account_signup')}?next={next_url}",
                           {"email": email, "password1": PASSWORD, "password2": PASSWORD, "next": next_url})


def code_sent_to(email: str) -> str:
    """The verification code in the last message the mailbox received."""
    message = [m for m in mail.outbox if m.to == [email]][-1]
    match = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", message.body, re.MULTILINE)
    assert match is not None, message.body
    return match.group(1)


def accept_new_tenant(client):  # type: ignore[no-untyped-def]
    return client.post(REVIEW, {
        "action": "accept", "tenant": "new", "company_name": "Victim Corp", "primary_domain": "victim.example",
        "country": "JP", "signer_name": "Victim Admin", "signer_email": VICTIM, "agreement_accepted": "on",
    })


def assert_nothing_accepted(invitation: Invitation) -> None:
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING and invitation.accepted_by_id is None
    assert not Relationship.objects.exists()
    assert not AgreementAcceptance.objects.exists()
    assert not Customer.objects.filter(primary_domain="victim.example").exists()
    assert not AuditEvent.objects.filter(action__in=["invitation.accepted", "agreement.accepted", "relationship.established"]).exists()


def test_partner_holding_the_link_cannot_sign_up_as_the_customer_and_accept(
    client, partner_a, agreement, django_capture_on_commit_callbacks,
):
    invitation, link = partner_gets_link_from_api(partner_a)
    page = open_anonymously(client, link)
    assert page.status_code == 200 and partner_a.partner.name in page.content.decode()  # anyone with the link may look

    signed_up = sign_up(client, VICTIM, django_capture_on_commit_callbacks)
    assert signed_up.status_code == 302 and signed_up.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session  # not signed in: the address is unproven
    assert EmailAddress.objects.get(email=VICTIM).verified is False

    refused = accept_new_tenant(client)
    assert refused.status_code == 302 and reverse("account_login") in refused.url
    # Signing in with the password the partner chose does not help either: a code goes to the mailbox.
    login = client.post(reverse("account_login"), {"login": VICTIM, "password": PASSWORD})
    assert login.url == reverse("account_email_verification_sent") and "_auth_user_id" not in client.session
    assert accept_new_tenant(client).status_code == 302
    # Nor does guessing the code.
    client.post(reverse("account_email_verification_sent"), {"code": "WRONG1"})
    assert accept_new_tenant(client).status_code == 302

    assert_nothing_accepted(invitation)
    assert EmailAddress.objects.get(email=VICTIM).verified is False


def test_the_partners_draft_page_link_is_no_better_than_the_api_one(
    client, partner_a, agreement, django_capture_on_commit_callbacks,
):
    from invitations.create_services import invitation_create
    from invitations.links import invitation_url

    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True, recipient_email=VICTIM)
    partner_browser = client
    partner_browser.force_login(partner_a.admin.user)
    draft = partner_browser.get(reverse("invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id,
                                                                      "invitation_pk": invitation.pk}))
    link = invitation_url(invitation)
    assert link in draft.content.decode()  # the partner does see the live link
    partner_browser.logout()
    open_anonymously(partner_browser, link)
    sign_up(partner_browser, VICTIM, django_capture_on_commit_callbacks)
    assert accept_new_tenant(partner_browser).status_code == 302
    assert_nothing_accepted(invitation)


def test_the_customer_verifies_with_the_code_from_the_mailbox_then_accepts(
    client, partner_a, agreement, django_capture_on_commit_callbacks,
):
    invitation, link = partner_gets_link_from_api(partner_a)
    open_anonymously(client, link)
    sign_up(client, VICTIM, django_capture_on_commit_callbacks)
    code = code_sent_to(VICTIM)

    verified = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert verified.status_code == 302 and verified.url == REVIEW  # back to the invitation
    assert EmailAddress.objects.get(email=VICTIM).verified is True
    assert client.session.get("_auth_user_id")

    page = client.get(REVIEW)
    assert page.status_code == 200 and 'value="accept"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = accept_new_tenant(client)
    assert accepted.status_code == 200, accepted.content.decode()[:2000]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by.email == VICTIM
    assert Relationship.objects.get(partner=partner_a.partner).customer.primary_domain == "victim.example"
    signed = AgreementAcceptance.objects.get()
    assert signed.user.email == VICTIM and signed.signer_email == VICTIM
    assert AuditEvent.objects.filter(action="invitation.accepted", actor__email=VICTIM).count() == 1


def test_a_code_read_from_the_mailbox_does_not_verify_an_account_signed_up_in_another_browser(
    client, partner_a, agreement, django_capture_on_commit_callbacks,
):
    """The customer gets the code the partner's sign-up triggered: typed anywhere but the partner's
    session, it verifies nothing — so the partner cannot wait for the customer to 'click confirm'."""
    from django.test import Client

    invitation, link = partner_gets_link_from_api(partner_a)
    open_anonymously(client, link)
    sign_up(client, VICTIM, django_capture_on_commit_callbacks)
    code = code_sent_to(VICTIM)
    customer = Client()
    customer.post(reverse("account_email_verification_sent"), {"code": code})
    assert EmailAddress.objects.get(email=VICTIM).verified is False
    assert "/confirm-email/" not in mail.outbox[-1].body  # no link that anyone could click to verify
    assert_nothing_accepted(invitation)


def test_opening_the_link_stashes_nothing_that_allauth_would_count_as_verified(client, partner_a):
    _invitation, link = partner_gets_link_from_api(partner_a)
    open_anonymously(client, link)
    assert not client.session.get("account_verified_email")


def test_an_unverified_account_cannot_decline_in_the_customers_name(client, partner_a):
    from tests.factories import UserFactory

    invitation, link = partner_gets_link_from_api(partner_a)
    client.force_login(UserFactory(email=VICTIM, verified=False))
    open_anonymously(client, link)
    client.post(REVIEW, {"action": "decline", "reason": "not interested"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not AuditEvent.objects.filter(action="invitation.declined").exists()


def test_the_agreement_is_signed_with_the_verified_address_not_a_typed_one(client, partner_a, agreement):
    from tests.factories import UserFactory

    _invitation, link = partner_gets_link_from_api(partner_a, email="cio@victim.example")
    client.force_login(UserFactory(email="cio@victim.example"))
    open_anonymously(client, link)
    response = accept_new_tenant(client)  # posts signer_email=it@victim.example, someone else's mailbox
    assert response.status_code == 200
    assert AgreementAcceptance.objects.get().signer_email == "cio@victim.example"


def test_the_reusable_link_needs_a_mailbox_verified_account_too(client, partner_a, agreement, django_capture_on_commit_callbacks):
    from invitations.links import relationship_link_url
    from invitations.relationship_links import relationship_link_rotate

    link = relationship_link_url(relationship_link_rotate(membership=partner_a.admin))
    open_anonymously(client, link)
    sign_up(client, VICTIM, django_capture_on_commit_callbacks)
    assert accept_new_tenant(client).status_code == 302
    assert not Relationship.objects.exists() and not AgreementAcceptance.objects.exists()
    assert not Invitation.objects.filter(partner=partner_a.partner, status=InvitationStatus.ACCEPTED).exists()

    client.post(reverse("account_email_verification_sent"), {"code": code_sent_to(VICTIM)})  # the mailbox's owner
    accepted = accept_new_tenant(client)
    assert accepted.status_code == 200, accepted.content.decode()[:2000]
    assert Relationship.objects.get(partner=partner_a.partner).customer.primary_domain == "victim.example"


def test_a_customer_the_partner_created_is_joined_only_by_its_admin_verified_through_the_mailbox(
    client, partner_a, agreement, django_capture_on_commit_callbacks,
):
    """Create customer + admin email: the partner knows the address and can derive the link; the
    pending tenant must not get a global admin the partner signed up."""
    from customers.models import CustomerMembership
    from invitations.links import invitation_url
    from partners.choices import PartnerRole
    from tests.factories import PartnerMembershipFactory, UserFactory
    from workflows.customer_creation import customer_create_for_partner

    agent = PartnerMembershipFactory(partner=partner_a.partner, user=UserFactory(email="agent@contoso.example"),
                                     roles=[PartnerRole.ADMIN_AGENT])
    created = customer_create_for_partner(membership=agent, company_name="Victim Corp", primary_domain="victim.example",
                                          country="JP", admin_email=VICTIM)
    open_anonymously(client, invitation_url(created.invitation))
    sign_up(client, VICTIM, django_capture_on_commit_callbacks)
    answer = {"tenant": str(created.customer.tenant_id), "signer_name": "Victim Admin", "agreement_accepted": "on", "action": "accept"}
    assert client.post(REVIEW, answer).status_code == 302
    assert not CustomerMembership.objects.exists() and not Relationship.objects.exists()
    assert not AgreementAcceptance.objects.exists()
    created.customer.refresh_from_db()
    assert created.customer.status == "pending_acceptance"

    client.post(reverse("account_email_verification_sent"), {"code": code_sent_to(VICTIM)})
    assert client.post(REVIEW, answer).status_code == 200
    assert CustomerMembership.objects.get(customer=created.customer).user.email == VICTIM
    created.customer.refresh_from_db()
    assert created.customer.status == "active"


def test_an_address_stashed_in_the_session_is_never_taken_as_verified(client, db, django_capture_on_commit_callbacks):
    """allauth's stash hook (what opening a link used to call) is closed: a sign-up stays unverified and signed out."""
    from allauth.account.adapter import get_adapter
    from django.test import RequestFactory

    session = client.session
    session["account_verified_email"] = VICTIM  # as any code path calling stash_verified_email would leave it
    session.save()
    sign_up(client, VICTIM, django_capture_on_commit_callbacks)
    assert EmailAddress.objects.get(email=VICTIM).verified is False
    assert "_auth_user_id" not in client.session
    request = RequestFactory().get("/")
    request.session = client.session
    get_adapter(request).stash_verified_email(request, VICTIM)
    assert get_adapter(request).is_email_verified(request, VICTIM) is False


def test_the_real_owner_takes_back_an_address_the_partner_signed_up_and_then_accepts(
    client, partner_a, agreement, django_capture_on_commit_callbacks,
):
    """After the attack the customer is not locked out: a password reset (link to the mailbox) then
    the sign-in code make the account theirs; the partner's password no longer opens it."""
    from django.test import Client

    invitation, link = partner_gets_link_from_api(partner_a)
    open_anonymously(client, link)
    sign_up(client, VICTIM, django_capture_on_commit_callbacks)  # the partner's browser

    owner = Client()
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("account_reset_password"), {"email": VICTIM})
    reset_link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)
    assert reset_link is not None, mail.outbox[-1].body
    form_url = owner.get(path_of(reset_link.group(0))).url
    owner.post(form_url, {"password1": "the-owners-own-passphrase", "password2": "the-owners-own-passphrase"})
    assert EmailAddress.objects.get(email=VICTIM).verified is False  # a reset alone verifies nothing

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("account_login"), {"login": VICTIM, "password": "the-owners-own-passphrase"})
    owner.post(reverse("account_email_verification_sent"), {"code": code_sent_to(VICTIM)})
    assert EmailAddress.objects.get(email=VICTIM).verified is True

    assert not Client().login(email=VICTIM, password=PASSWORD)  # the partner's password is gone
    open_anonymously(owner, link)
    assert accept_new_tenant(owner).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_the_agreement_service_refuses_a_signature_naming_another_mailbox(agreement):
    from customers.services import AgreementSignature, CustomerError, agreement_accept
    from tests.factories import CustomerFactory, UserFactory

    user = UserFactory(email="cio@victim.example")
    with pytest.raises(CustomerError) as refused, transaction.atomic():  # the caller's transaction, as in acceptance
        agreement_accept(customer=CustomerFactory(), agreement=agreement, user=user,
                         signature=AgreementSignature("Victim Admin", VICTIM, True))
    assert refused.value.code == "signer_email_mismatch"
    assert not AgreementAcceptance.objects.exists()
