"""Issue 21: every surface says what really happened, in the user's language (the flow's loose ends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from invitations.services import invitation_draft, invitation_resend, invitation_send
from notifications.models import OutboxMessage
from partnercenter.sealing import unseal

pytestmark = pytest.mark.django_db


def last_invitation_email() -> dict[str, str]:
    return unseal(OutboxMessage.objects.filter(template="invitations/email/invitation").latest("pk").sealed_body)


# --- Item 2: a resent email says the new expiry date, in the body as in the footer ---------------


def test_a_resent_email_says_the_new_expiry_date_in_the_body_and_the_footer(partner_a, make_invitation):
    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    first_expiry = invitation.expires_at.date().isoformat()
    assert f"valid until {first_expiry}" in body
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="it@northwind.example")
    with time_machine.travel(invitation.expires_at - timedelta(days=20)):  # ten days after creating
        invitation.refresh_from_db()
        resent = invitation_resend(invitation=invitation, membership=partner_a.admin)
    new_expiry = resent.expires_at.date().isoformat()
    assert new_expiry != first_expiry
    text = last_invitation_email()["text"]
    body_part, footer = text.rsplit("-- ", 1)
    assert f"valid until {new_expiry}" in body_part and first_expiry not in body_part
    assert f"expires on {new_expiry}" in footer
    assert f"valid until {new_expiry}" in invitation_draft(resent)[1]  # the draft page and "open in email app" too


def test_a_draft_edited_by_the_partner_keeps_following_the_expiry(partner_a, make_invitation):
    from invitations.services import invitation_draft_save

    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    invitation_draft_save(invitation=invitation, membership=partner_a.admin, subject=subject, body="Dear CIO,\n" + body)
    with time_machine.travel(invitation.expires_at - timedelta(days=20)):
        invitation.refresh_from_db()
        resent = invitation_resend(invitation=invitation, membership=partner_a.admin)
    body = invitation_draft(resent)[1]
    assert body.startswith("Dear CIO,") and f"valid until {resent.expires_at.date().isoformat()}" in body
