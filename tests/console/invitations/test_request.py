"""Partner side: options → draft → send, resend and cancel, and the rules checked before sending."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from invitations.choices import InvitationStatus
from invitations.drafts import invitation_draft
from invitations.errors import InvitationError
from invitations.links import invitation_url
from invitations.models import Invitation
from invitations.send_services import invitation_resend, invitation_send
from notifications.models import OutboxMessage
from partners.choices import Cloud
from tests.factories import CustomerFactory, PartnerMembershipFactory


def request_url(tenant) -> str:  # type: ignore[no-untyped-def]
    return reverse("invitations:request", kwargs={"partner_id": tenant.partner.partner_id})


def test_request_page_permission_triad(client, partner_a, partner_b):
    assert client.get(request_url(partner_a)).status_code == 302  # anonymous → sign in
    client.force_login(partner_b.admin.user)
    assert client.get(request_url(partner_a)).status_code == 404  # another partner's console
    helpdesk = PartnerMembershipFactory(partner=partner_a.partner, roles=["helpdesk_agent"])
    client.force_login(helpdesk.user)
    assert client.get(request_url(partner_a)).status_code == 403
    client.force_login(partner_a.sales.user)
    assert client.get(request_url(partner_a)).status_code == 200


def test_options_lead_to_a_draft_with_the_personalised_link(client, partner_a):
    client.force_login(partner_a.sales.user)
    response = client.post(request_url(partner_a), {"include_delegated_admin": "on", "language": "en"})
    invitation = Invitation.objects.get()
    assert response.url == reverse("invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk})
    page = client.get(response.url).content.decode()
    assert invitation_url(invitation) in page
    assert invitation.include_delegated_admin and invitation.requested_roles and invitation.grant_duration_days == 730
    assert AuditEvent.objects.filter(action="invitation.created", partner=partner_a.partner).count() == 1


def test_sovereign_cloud_partner_cannot_clear_the_delegated_admin_box(client, partner_b):
    client.force_login(partner_b.admin.user)
    page = client.get(request_url(partner_b)).content.decode()
    assert "not available in sovereign clouds" in page
    response = client.post(request_url(partner_b), {"language": "en"})  # box cleared by a crafted POST
    assert response.status_code == 200
    assert "sovereign" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("country", "cloud", "code", "words", "undisclosed"),
    [
        ("US", Cloud.PUBLIC, "market_mismatch", ["Japan", "far.example"], ["United States", "Far Away Inc"]),
        ("JP", Cloud.US_GOV, "cloud_mismatch", ["Public cloud", "far.example"], ["US Government cloud", "Far Away Inc"]),
    ],
)
def test_known_target_outside_market_or_cloud_is_refused_with_the_explanation(make_invitation, country, cloud, code, words, undisclosed):
    """The explanation names the partner's market or cloud and the domain it typed; the tenant's
    name, country and cloud are not the partner's to learn (issue 21, item 10)."""
    CustomerFactory(primary_domain="far.example", country=country, cloud=cloud, company_name="Far Away Inc")
    with pytest.raises(InvitationError) as caught:
        make_invitation(target_domain="far.example")
    assert caught.value.code == code
    for word in words:
        assert word in caught.value.message
    for word in undisclosed:
        assert word not in caught.value.message
    assert not Invitation.objects.exists()


def test_draft_must_keep_the_link(client, partner_a, make_invitation):
    invitation = make_invitation(recipient_email="cio@northwind.example")
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk})
    response = client.post(url, {"action": "send", "subject": "Hi", "body": "Please accept, the link is gone.", "recipient_email": ""})
    assert response.status_code == 200
    assert "personalised link must stay" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_send_from_the_portal_emails_the_edited_draft_once(client, partner_a, make_invitation, django_capture_on_commit_callbacks):
    invitation = make_invitation(recipient_email="cio@northwind.example")
    _subject, body = invitation_draft(invitation)
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:draft", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk})
    data = {"action": "send", "subject": "Let's work together", "body": "Dear CIO,\n" + body, "recipient_email": ""}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
        client.post(url, data)  # a double click
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Let's work together"
    # The layout's brand line (issue 22 item 7), then the edited draft as the partner wrote it.
    brand, draft = message.body.split("\n\n", 1)
    assert brand == f"partnercenter · {partner_a.partner.name}"
    assert draft.startswith("Dear CIO,")
    assert invitation_url(invitation) in message.body
    assert invitation_url(invitation) in message.alternatives[0][0]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_resend_gives_a_new_link_and_the_old_one_dies(make_invitation, partner_a, open_link):
    invitation = make_invitation()
    old = Invitation.objects.get(pk=invitation.pk)
    renewed = invitation_resend(invitation=invitation, membership=partner_a.admin)
    assert invitation_url(renewed) != invitation_url(old)
    assert open_link(old).status_code == 404
    assert open_link(renewed).status_code == 200


def test_cancel_kills_the_link(client, partner_a, make_invitation, open_link):
    invitation = make_invitation()
    client.force_login(partner_a.admin.user)
    client.post(reverse("invitations:cancel", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED
    client.logout()
    assert open_link(invitation).status_code == 404


def test_another_partner_cannot_resend_or_cancel(client, partner_a, partner_b, make_invitation):
    invitation = make_invitation()
    client.force_login(partner_b.admin.user)
    for action in ("resend", "cancel"):
        url = reverse(f"invitations:{action}", kwargs={"partner_id": partner_b.partner.partner_id, "invitation_pk": invitation.pk})
        assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_send_requires_a_recipient(partner_a, make_invitation):
    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    with pytest.raises(InvitationError) as caught:
        invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="")
    assert caught.value.code == "recipient_required"
