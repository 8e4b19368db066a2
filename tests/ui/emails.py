"""Every email the product sends, rendered in a language: the notification templates (from the
template folders), the invitation email (its own path) and allauth's messages (through our adapter).

Used by tests/ui/test_email_layout.py and by `python -m tests.ui.emails OUTDIR` (writes each as .html/.txt/.eml
for a look in a browser)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
NAME = "Margie's Travel & Co"
CUSTOMER = "Northwind \"Traders\""
LONG_URL = "https://partnercenter.example/c/8a9e4f3b-8c4e-4a8e-9d2c-0b1f6c7e5a11/granularAdminRelationships/" \
           "2f6b7c1d-4e3a-4b5c-9d8e-7f6a5b4c3d2e-1a2b3c4d"


@dataclass
class Email:
    name: str
    language: str
    subject: str
    text: str
    html: str
    url: str  # the one link the email is for ("" when it carries a code instead)
    code: str = ""


def _value(name: str) -> Any:
    if name.endswith("url") or name in {"link"}:
        return LONG_URL
    if name == "roles":
        return ["Global reader", "Helpdesk administrator", "User administrator"]
    if name in {"duration_days", "days"}:
        return 30
    if name == "has_account":
        return False
    if name == "audience":
        return "partner"
    if name == "event":
        return "approved"
    if name.startswith("partner_name") or name == "inviter":
        return NAME
    if name.startswith("customer_name"):
        return CUSTOMER
    if name == "count":
        return 3
    if name == "items":  # the daily digest's notifications
        return [{"title": f"{CUSTOMER} accepted invitation #{n}", "where": NAME, "url": LONG_URL, "day": "2027-01-05"}
                for n in (41, 42, 43)]
    if name.endswith("_on") or name.startswith("expires") or name == "day":
        return "2027-01-05"
    return f"{name.replace('_', ' ')} value"


def notification_templates() -> list[str]:
    prefixes = []
    for path in sorted(ROOT.glob("*/templates/*/email/*_body.html")):
        prefix = str(path.relative_to(path.parents[2])).removesuffix("_body.html")
        if prefix != "invitations/email/invitation":
            prefixes.append(prefix)
    return prefixes


def _variables(prefix: str) -> set[str]:
    names: set[str] = set()
    for suffix in ("_subject.txt", "_body.txt", "_body.html"):
        for path in ROOT.glob(f"*/templates/{prefix}{suffix}"):
            text = path.read_text()
            names |= set(re.findall(r"\{\{\s*(\w+)", text)) | set(re.findall(r"\w+=(\w+)", text))
            names |= set(re.findall(r"(?:if|elif) (\w+)", text))
    return names


def render_notifications(language: str) -> list[Email]:
    from notifications.services import email_render

    emails = []
    for prefix in notification_templates():
        context = {name: _value(name) for name in _variables(prefix)}
        rendered = email_render(template=prefix, context=context, language=language)
        emails.append(Email(prefix, language, rendered.subject, rendered.text, rendered.html, LONG_URL))
    return emails


def render_invitation(language: str) -> Email:
    """The invitation email as invitations.send_services builds it (factory rows; nothing saved but them)."""
    from unittest import mock

    from invitations import send_services
    from invitations.drafts import _default_draft
    from invitations.links import invitation_url
    from tests.factories import InvitationFactory, PartnerFactory

    invitation = InvitationFactory(partner=PartnerFactory(name=NAME), language=language,
                                   recipient_email="it@northwind.example")
    invitation.message_subject, invitation.message_body = _default_draft(invitation)
    invitation.save()
    captured: dict[str, Any] = {}
    with mock.patch.object(send_services, "email_outbox_row", side_effect=lambda **kw: captured.update(kw)):
        send_services._invitation_email_row(invitation, key_suffix="send")
    rendered = captured["rendered"]
    from invitations.verification_codes import invitation_verification_code

    return Email("invitations/email/invitation", language, rendered.subject, rendered.text, rendered.html,
                 invitation_url(invitation), invitation_verification_code(invitation))


ALLAUTH = {
    "account/email/email_confirmation": {"code": "K7Q2XM"},
    "account/email/email_confirmation_signup": {"code": "K7Q2XM"},
    "account/email/password_reset_key": {"password_reset_url": LONG_URL},
    "account/email/password_reset_code": {"code": "K7Q2XM"},
    "account/email/login_code": {"code": "K7Q2XM"},
    "account/email/account_already_exists": {"password_reset_url": LONG_URL},
    "account/email/unknown_account": {"signup_url": LONG_URL},
    "account/email/email_changed": {"from_email": "old@northwind.example", "to_email": "new@northwind.example"},
    "account/email/email_confirm": {},
    "account/email/email_deleted": {"deleted_email": "old@northwind.example"},
    "account/email/password_changed": {},
    "account/email/password_reset": {},
    "account/email/password_set": {},
    "mfa/email/recovery_codes_generated": {},
    "mfa/email/totp_activated": {},
    "mfa/email/totp_deactivated": {},
    "mfa/email/webauthn_added": {},
    "mfa/email/webauthn_removed": {},
}


def render_allauth(language: str) -> list[Email]:
    from allauth.core import context as allauth_context
    from django.contrib.sites.shortcuts import get_current_site
    from django.test import RequestFactory

    from console.account_adapter import AccountAdapter

    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    emails = []
    with allauth_context.request_context(request), translation.override(language):
        adapter = AccountAdapter(request)
        for prefix, extra in ALLAUTH.items():
            ctx = {"request": request, "email": "it@northwind.example", "current_site": get_current_site(request),
                   "ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (iPhone)", "timestamp": "2026-12-06 23:25",
                   **extra}
            message = adapter.render_mail(prefix, "it@northwind.example", ctx)
            html = next((str(c) for c, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
            emails.append(Email(prefix, language, message.subject, str(message.body), html,
                                extra.get("password_reset_url") or extra.get("signup_url") or "",
                                extra.get("code", "")))
    return emails


def every_email(language: str) -> list[Email]:
    return [*render_notifications(language), render_invitation(language), *render_allauth(language)]


def as_mime(email: Email) -> bytes:
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(email.subject, email.text, settings.DEFAULT_FROM_EMAIL, ["it@northwind.example"])
    message.attach_alternative(email.html, "text/html")
    return message.message().as_bytes()


if __name__ == "__main__":  # DJANGO_SETTINGS_MODULE=partnercenter.settings.test python -m tests.ui.emails OUTDIR
    import sys

    import django

    django.setup()
    from django.db import transaction

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        for lang in ("en", "ja"):
            for mail in every_email(lang):
                stem = out / f"{mail.name.replace('/', '_')}-{lang}"
                stem.with_suffix(".html").write_text(mail.html)
                stem.with_suffix(".txt").write_text(f"Subject: {mail.subject}\n\n{mail.text}")
                stem.with_suffix(".eml").write_bytes(as_mime(mail))
        transaction.set_rollback(True)
