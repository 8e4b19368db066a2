"""Mailbox flooding is bounded (issue 18): emails per invitation in all, per recipient per day across partners."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from invitations.create_services import invitation_create
from invitations.drafts import invitation_draft
from invitations.email_limits import normalised_recipient
from invitations.errors import InvitationError
from invitations.models import Invitation
from invitations.send_services import invitation_resend, invitation_send
from notifications.models import OutboxMessage
from tests.races import race

ADDRESS = "it@prospect.example"


def emails_to(address: str) -> int:
    return OutboxMessage.objects.filter(recipient=address).count()


def sent(membership, address: str = ADDRESS) -> Invitation:  # type: ignore[no-untyped-def]
    return invitation_create(membership=membership, include_delegated_admin=True, recipient_email=address, send_email=True)


@pytest.mark.django_db
def test_an_invitation_is_emailed_at_most_five_times_and_a_refused_resend_changes_nothing(partner_a):
    invitation = sent(partner_a.admin)
    for _ in range(4):
        invitation = invitation_resend(invitation=invitation, membership=partner_a.admin)
    assert emails_to(ADDRESS) == 5
    before = Invitation.objects.get(pk=invitation.pk)
    events = AuditEvent.objects.count()
    with pytest.raises(InvitationError) as refused:
        invitation_resend(invitation=invitation, membership=partner_a.admin)
    assert refused.value.code == "send_limit"
    assert "nothing was sent" in refused.value.message
    after = Invitation.objects.get(pk=invitation.pk)
    assert (after.token_hash, after.expires_at, after.sent_at) == (before.token_hash, before.expires_at, before.sent_at)
    assert emails_to(ADDRESS) == 5 and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_resend_without_a_recipient_sends_nothing_and_is_not_counted(partner_a, settings):
    settings.INVITATION_EMAILS_PER_INVITATION = 1
    invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True)
    for _ in range(3):
        invitation = invitation_resend(invitation=invitation, membership=partner_a.admin)
    subject, body = invitation_draft(invitation)
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email=ADDRESS)
    assert emails_to(ADDRESS) == 1


@pytest.mark.django_db
def test_one_address_gets_at_most_the_daily_cap_across_all_partners_then_again_tomorrow(partner_a, partner_b, settings):
    settings.INVITATION_EMAILS_PER_RECIPIENT_PER_DAY = 3
    with time_machine.travel(timezone.now().replace(hour=9), tick=False):
        first = sent(partner_a.admin)
        invitation_resend(invitation=first, membership=partner_a.admin)
        sent(partner_b.admin, "IT+partners@Prospect.example")  # the same mailbox, written differently
        with pytest.raises(InvitationError) as refused:
            invitation_resend(invitation=first, membership=partner_a.admin)
        assert refused.value.code == "recipient_daily_cap"
        with pytest.raises(InvitationError) as refused:
            sent(partner_b.admin, "it+again@prospect.example")
        assert refused.value.code == "recipient_daily_cap"
        assert Invitation.objects.filter(partner=partner_b.partner).count() == 1  # the refused create left nothing
        assert OutboxMessage.objects.filter(recipient__iendswith="prospect.example").count() == 3
    with time_machine.travel(timezone.now().replace(hour=9) + timedelta(days=1), tick=False):
        invitation_resend(invitation=first, membership=partner_a.admin)
    assert emails_to(ADDRESS) == 3  # two yesterday, one today


def test_addresses_are_counted_by_mailbox():
    assert normalised_recipient(" IT+Partner.A@Prospect.Example ") == "it@prospect.example"
    assert normalised_recipient("it@prospect.example") == "it@prospect.example"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "phrase"), [("en", "nothing was sent"), ("ja", "送信していません")])
def test_the_console_says_why_a_resend_was_refused_in_the_users_language(client, partner_a, settings, language, phrase):
    settings.INVITATION_EMAILS_PER_INVITATION = 1
    invitation = sent(partner_a.admin)
    partner_a.admin.user.preferred_language = language
    partner_a.admin.user.save()
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:resend", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk})
    response = client.post(url, HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert phrase in response.content.decode()
    assert emails_to(ADDRESS) == 1


@pytest.mark.django_db
def test_the_api_answers_409_for_an_invitations_limit_and_429_with_retry_after_for_a_recipients(partner_a, settings):
    from partners.api_key_services import api_key_create
    from tests.api.conftest import KeyClient

    token = api_key_create(membership=partner_a.admin, name="Flood", scopes=["invitations:read", "invitations:write"],
                           expires_in_days=None).token
    api = KeyClient(token)
    settings.INVITATION_EMAILS_PER_INVITATION = 1
    invitation = sent(partner_a.admin)
    refused = api.post(f"/api/v1/invitations/{invitation.pk}/resend")
    assert refused.status_code == 409 and refused.json()["code"] == "send_limit"
    settings.INVITATION_EMAILS_PER_INVITATION = 5
    settings.INVITATION_EMAILS_PER_RECIPIENT_PER_DAY = 1
    refused = api.post(f"/api/v1/invitations/{invitation.pk}/resend")
    assert refused.status_code == 429 and refused.json()["code"] == "recipient_daily_cap"
    assert ADDRESS in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 86400
    assert emails_to(ADDRESS) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_sends_to_one_address_from_sixteen_invitations_stop_at_the_cap(partner_a, settings):
    settings.INVITATION_EMAILS_PER_RECIPIENT_PER_DAY = 5
    invitations = [invitation_create(membership=partner_a.admin, include_delegated_admin=True) for _ in range(16)]

    def send(invitation: Invitation) -> Invitation:
        subject, body = invitation_draft(invitation)
        return invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body,
                               recipient_email=ADDRESS)

    results, refused = race(send, invitations, refusals=(InvitationError,))
    assert len(results) == 5 and refused == ["recipient_daily_cap"] * 11
    assert emails_to(ADDRESS) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_resends_of_one_invitation_stop_at_its_limit(partner_a):
    invitation = sent(partner_a.admin)
    results, refused = race(lambda _n: invitation_resend(invitation=invitation, membership=partner_a.admin), range(16),
                            refusals=(InvitationError,))
    assert len(results) == 4 and refused == ["send_limit"] * 12
    assert emails_to(ADDRESS) == 5
