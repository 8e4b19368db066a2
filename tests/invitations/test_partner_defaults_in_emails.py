"""Partner settings → Defaults in invitation emails (issue 24, item 7): the reply-to address is the
email's Reply-To (and said in the footer), the signature ends each new draft."""

from __future__ import annotations

import pytest

from invitations.drafts import invitation_draft
from invitations.send_services import invitation_send
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver
from partnercenter.directory_roles import BUNDLES
from partners.defaults_services import PartnerDefaults, partner_defaults_update

pytestmark = pytest.mark.django_db


def set_defaults(partner_a, **changes) -> None:  # type: ignore[no-untyped-def]
    values = {"roles": list(BUNDLES["helpdesk"][1]), "duration_days": 180, "auto_extend": True,
              "reply_to": "support@contoso.example", "signature": "Kenji Sato\nContoso Cloud, customer success"}
    partner_defaults_update(actor=partner_a.admin, partner=partner_a.partner, defaults=PartnerDefaults(**{**values, **changes}))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_invitation_email_replies_to_the_partner_and_ends_with_its_signature(partner_a, make_invitation, mailoutbox, language) -> None:  # type: ignore[no-untyped-def]
    set_defaults(partner_a)
    invitation = make_invitation(language=language)
    assert invitation.grant_duration_days == 180 and set(invitation.requested_roles) == set(BUNDLES["helpdesk"][1])
    subject, body = invitation_draft(invitation)
    assert body.rstrip().endswith("Kenji Sato\nContoso Cloud, customer success")
    assert "Best regards" not in body and "敬具" not in body
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="it@northwind.example")
    message = OutboxMessage.objects.get(template="invitations/email/invitation")
    assert outbox_deliver(message_id=message.pk).status == "sent"
    (email,) = mailoutbox
    assert email.reply_to == ["support@contoso.example"]
    assert "support@contoso.example" in email.body and "Kenji Sato" in email.body
    html = email.alternatives[0][0]
    assert "support@contoso.example" in html and "Kenji Sato" in html


def test_without_a_reply_to_the_email_has_none_and_the_draft_ends_as_before(partner_a, make_invitation, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    assert body.rstrip().endswith("Best regards,\nContoso Cloud")
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="it@northwind.example")
    outbox_deliver(message_id=OutboxMessage.objects.get(template="invitations/email/invitation").pk)
    assert mailoutbox[0].reply_to == []
