"""Invitation emails (every template in INVITATION_EMAIL_TEMPLATES): no tracking, only the one link,
and a plain-text part that says exactly what the HTML part says."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine

from invitations.drafts import invitation_draft
from invitations.email_failures import INVITATION_EMAIL_TEMPLATES
from invitations.lifecycle import invitation_reminders_send
from invitations.links import invitation_url
from invitations.send_services import invitation_send
from invitations.verification_codes import invitation_verification_code
from notifications.models import OutboxMessage
from partnercenter.sealing import unseal

URL = re.compile(r"https?://\S+")


class _Text(HTMLParser):
    """The visible text of the <body>, and every element that could load or link something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.in_body = False
        self.links: list[str] = []
        self.fetches: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        values = dict(attrs)
        if tag == "a":
            self.links.append(values.get("href") or "")
        if tag in {"img", "script", "iframe", "link", "object", "embed", "video", "audio", "source"} or "background" in values:
            self.fetches.append(tag)
        if "url(" in (values.get("style") or ""):
            self.fetches.append("css url()")

    def handle_data(self, data: str) -> None:
        if self.in_body:
            self.parts.append(data)


def words(text: str) -> list[str]:
    return text.split()


def emails_for_every_template(partner_a, make_invitation, language: str) -> list[tuple[object, OutboxMessage]]:  # type: ignore[no-untyped-def]
    invitation = make_invitation(language=language)
    subject, body = invitation_draft(invitation)
    body += "\nP.S. Our website: https://contoso.example/about?utm_source=mail & more <b>bold</b>\n"
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body,
                    recipient_email="it@northwind.example")
    with time_machine.travel(invitation.expires_at - timedelta(days=6)):
        assert invitation_reminders_send() == 1
    invitation.refresh_from_db()
    messages = list(OutboxMessage.objects.filter(template__in=INVITATION_EMAIL_TEMPLATES).order_by("pk"))
    assert {m.template for m in messages} == set(INVITATION_EMAIL_TEMPLATES)
    return [(invitation, m) for m in messages]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_text_part_says_exactly_what_the_html_part_says(partner_a, make_invitation, language):
    for invitation, message in emails_for_every_template(partner_a, make_invitation, language):
        parts = unseal(message.sealed_body)
        parser = _Text()
        parser.feed(parts["html"])
        text_words = [w for w in words(parts["text"]) if w != "--"]  # the signature separator is the HTML's <hr>
        assert words(" ".join(parser.parts)) == text_words, message.template
        assert invitation_verification_code(invitation) in parts["text"], message.template  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_invitation_emails_carry_only_the_one_link_and_nothing_that_tracks(partner_a, make_invitation, language):
    for invitation, message in emails_for_every_template(partner_a, make_invitation, language):
        parts = unseal(message.sealed_body)
        parser = _Text()
        parser.feed(parts["html"])
        link = invitation_url(invitation)  # type: ignore[arg-type]
        assert parser.links == [link], message.template  # the typed website stays plain text
        assert parser.fetches == [], message.template  # no images, pixels, scripts or remote styles
        assert "?" not in link and "utm_" not in link
        assert [u for u in URL.findall(parts["text"]) if "contoso.example" not in u] == [link]


def test_email_names_an_unverified_domain_as_unverified(partner_a, make_invitation, django_user_model):
    from partners.domain_services import partner_domain_verify_by_staff

    def footer() -> str:
        text = unseal(OutboxMessage.objects.filter(template="invitations/email/invitation").latest("pk").sealed_body)["text"]
        return text.rsplit("-- ", 1)[1]

    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="a@b.example")
    assert "has not verified its domain" in footer() and "verified domain:" not in footer()
    staff = django_user_model.objects.create_superuser(email="ops@partnercenter.example", password="x")
    partner_domain_verify_by_staff(partner=partner_a.partner, staff_user=staff, reason="Contract checked")
    second = make_invitation()
    subject, body = invitation_draft(second)
    invitation_send(invitation=second, membership=partner_a.admin, subject=subject, body=body, recipient_email="c@d.example")
    assert f"verified domain: {partner_a.partner.verified_domain}" in footer()
