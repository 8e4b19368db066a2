"""Joining a partner through the emailed link: GET shows, POST joins, tokens behave like passwords."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from partners.choices import PartnerUserInvitationStatus
from partners.models import PartnerMembership
from partners.services import partner_user_invitation_cancel, partner_user_invitation_resend, partner_user_invite
from tests.factories import UserFactory


def invite(tenant, email="joiner@example.com"):  # type: ignore[no-untyped-def]
    return partner_user_invite(partner=tenant.partner, email=email, roles=["helpdesk_agent"], invited_by=tenant.admin)


def without_csrf(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def open_link(client, issued):  # type: ignore[no-untyped-def]
    response = client.get(issued.path)
    assert response.status_code == 302
    assert response.url == reverse("partner_user_invitation_review")  # the token left the URL
    return client.get(response.url)


def test_token_is_stored_only_as_a_keyed_hash(partner_a):
    issued = invite(partner_a)
    assert len(issued.token) >= 43  # 256 bits, URL-safe
    assert issued.token not in issued.invitation.token_hash
    assert len(issued.invitation.token_hash) == 64


def test_link_shows_the_invitation_without_changing_it(client, partner_a):
    issued = invite(partner_a)
    for _ in range(3):
        response = open_link(client, issued)
        assert response.status_code == 200
        assert partner_a.partner.name in response.content.decode()
        assert partner_a.partner.verified_domain in response.content.decode()
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == PartnerUserInvitationStatus.PENDING
    assert issued.token not in response.content.decode()


def test_invitee_signed_in_with_the_invited_email_joins_with_the_roles(client, partner_a):
    issued = invite(partner_a)
    user = UserFactory(email="joiner@example.com")
    client.force_login(user)
    open_link(client, issued)
    response = client.post(reverse("partner_user_invitation_review"))
    assert response.status_code == 302
    membership = PartnerMembership.objects.get(partner=partner_a.partner, user=user)
    assert membership.roles == ["helpdesk_agent"]
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == PartnerUserInvitationStatus.ACCEPTED
    assert issued.invitation.accepted_by == user
    # The link is now used up.
    assert open_link(client, issued).status_code == 404


def test_someone_signed_in_as_another_email_cannot_join(client, partner_a):
    issued = invite(partner_a)
    client.force_login(UserFactory(email="intruder@example.com"))
    page = open_link(client, issued)
    assert "you are signed in as" in page.content.decode().lower()
    client.post(reverse("partner_user_invitation_review"))
    assert not PartnerMembership.objects.filter(user__email="intruder@example.com").exists()
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == PartnerUserInvitationStatus.PENDING


def test_anonymous_post_is_sent_to_sign_in_and_joins_nothing(client, partner_a):
    issued = invite(partner_a)
    open_link(client, issued)
    response = client.post(reverse("partner_user_invitation_review"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == PartnerUserInvitationStatus.PENDING


def test_resend_kills_the_old_link(client, partner_a):
    issued = invite(partner_a)
    reissued = partner_user_invitation_resend(invitation=issued.invitation, actor=partner_a.admin)
    assert open_link(client, issued).status_code == 404
    assert open_link(client, reissued).status_code == 200


def test_cancelled_expired_and_unknown_links_get_the_same_answer(client, partner_a):
    cancelled = invite(partner_a, "a@example.com")
    partner_user_invitation_cancel(invitation=cancelled.invitation, actor=partner_a.admin)
    expiring = invite(partner_a, "b@example.com")
    unknown = client.get(reverse("partner_user_invitation_open", kwargs={"token": "x" * 43}))
    unknown_page = client.get(unknown.url)
    cancelled_page = open_link(client, cancelled)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        expired_page = open_link(client, expiring)
    assert unknown_page.status_code == cancelled_page.status_code == expired_page.status_code == 404
    assert without_csrf(unknown_page) == without_csrf(cancelled_page) == without_csrf(expired_page)


def test_expiry_task_marks_old_invitations_expired_and_audits(partner_a):
    from audit.models import AuditEvent
    from partners.services import partner_user_invitations_expire

    issued = invite(partner_a)
    assert partner_user_invitations_expire() == 0
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert partner_user_invitations_expire() == 1
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == PartnerUserInvitationStatus.EXPIRED
    assert AuditEvent.objects.filter(action="partner_user.invitation_expired").count() == 1


# --- Issue 18: the join link proves nothing about the mailbox -------------------------------------

def _sign_up(client, email, captured):  # type: ignore[no-untyped-def]
    next_url = reverse("partner_user_invitation_review")
    with captured(execute=True):
        return client.post(f"{reverse('account_signup')}?next={next_url}", {
            "email": email, "password1": "a-long-unique-passphrase", "password2": "a-long-unique-passphrase", "next": next_url})


def test_whoever_holds_the_join_link_cannot_sign_up_as_the_invitee_and_join(client, partner_a, django_capture_on_commit_callbacks):
    """The inviting admin chose the address: holding the link must not make an account for it verified
    (that account could then accept customer invitations in the owner's name)."""
    from allauth.account.models import EmailAddress

    issued = invite(partner_a, "someone@othercompany.example")
    open_link(client, issued)
    signed_up = _sign_up(client, "someone@othercompany.example", django_capture_on_commit_callbacks)
    assert signed_up.url == reverse("account_email_verification_sent")
    assert EmailAddress.objects.get(email="someone@othercompany.example").verified is False
    response = client.post(reverse("partner_user_invitation_review"))
    assert reverse("account_login") in response.url
    assert not PartnerMembership.objects.filter(user__email="someone@othercompany.example").exists()
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == PartnerUserInvitationStatus.PENDING


def test_the_invitee_verifies_with_the_emailed_code_then_joins(client, partner_a, django_capture_on_commit_callbacks):
    from django.core import mail

    issued = invite(partner_a, "joiner@example.com")
    open_link(client, issued)
    _sign_up(client, "joiner@example.com", django_capture_on_commit_callbacks)
    body = [m for m in mail.outbox if m.to == ["joiner@example.com"]][-1].body
    code = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", body, re.MULTILINE).group(1)  # type: ignore[union-attr]
    verified = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert verified.url == reverse("partner_user_invitation_review")  # back to the invitation
    client.post(reverse("partner_user_invitation_review"))
    membership = PartnerMembership.objects.get(partner=partner_a.partner, user__email="joiner@example.com")
    assert membership.roles == ["helpdesk_agent"]
