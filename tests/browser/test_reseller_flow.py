"""The whole reseller flow in Debian chromium, in English and in Japanese.

Partner signs in → requests a relationship with delegated admin → sends from the portal → the email
arrives in the mailbox → a new user opens the link, signs up, verifies the email, creates the tenant,
accepts the agreement → the partner's Customers page shows the customer and its expanded row.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from demo.data import build_demo_world
from notifications.models import MailboxMessage
from relationships.models import DelegatedAdminGrant, Relationship
from tests.browser.mailbox import enter_verification_code
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH = {
    "customers": "Customers", "request": "Request a reseller relationship", "include": "Include delegated admin privileges",
    "next": "Next: email draft", "send": "Send from the portal", "done": "Done", "invitations": "Invitations",
    "signup": "Create an account", "company": "Company name", "domain": "Primary domain", "name": "Your name",
}


def ui_text(language: str) -> dict[str, str]:
    """The labels the pages show in `language`, from the same catalog; Japanese must really be Japanese."""
    with translation.override(language):
        text = {key: gettext(value) for key, value in ENGLISH.items()}
    if language != "en":
        untranslated = [value for key, value in text.items() if value == ENGLISH[key]]
        assert not untranslated, f"not translated into {language}: {untranslated}"
    return text


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def latest_mail_to(address: str) -> MailboxMessage:
    return MailboxMessage.objects.filter(to=address).latest("sent_at")


def first_link(message: MailboxMessage, base_url: str) -> str:
    match = re.search(r"https?://\S+", message.text_body)
    assert match is not None, message.text_body
    return re.sub(r"^https?://[^/]+", base_url, match.group(0))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_partner_request_to_customer_on_the_customers_page(page: Page, live_server, demo_world, browser, language):
    t = ui_text(language)
    customer_email = f"cio-{language}@northwind-{language}.example"
    base = live_server.url
    sign_in(page, base, "admin@contoso-cloud.example")
    if language == "ja":
        page.get_by_label("Language").select_option("ja")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
    nav = page.get_by_role("navigation").filter(has=page.locator(".nav"))
    nav.get_by_role("link", name=t["customers"], exact=True).click()
    page.get_by_role("link", name=t["request"]).first.click()
    expect(page.get_by_label(t["include"])).to_be_checked()
    page.locator("#id_language").select_option(language)
    page.get_by_role("button", name=t["next"]).click()

    # The email draft: the personalised link is there; send it from the portal.
    body = page.locator("#id_body")
    expect(body).to_contain_text("/r/")
    page.locator("#id_recipient_email").fill(customer_email)
    page.get_by_role("button", name=t["send"]).click()
    expect(page.locator(".alert-success")).to_contain_text(customer_email)
    page.get_by_role("button", name=t["done"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["invitations"])

    invitation_mail = latest_mail_to(customer_email)
    with translation.override(language):
        expected_subject = gettext("%(partner_name)s asks to become your cloud reseller") % {"partner_name": "Contoso Cloud Solutions KK"}
    assert invitation_mail.subject == expected_subject
    if language == "ja":
        assert re.search(r"[\u3040-\u30ff]", invitation_mail.text_body), "the email body is Japanese"

    # The customer, in a browser of its own: open the link, sign up, verify the email.
    customer = browser.new_context(locale="ja-JP" if language == "ja" else "en-US").new_page()
    customer.goto(first_link(invitation_mail, base))
    expect(customer).to_have_url(f"{base}/r/")
    expect(customer.get_by_role("heading", level=1)).to_contain_text("Contoso Cloud Solutions KK")
    customer.get_by_role("link", name=t["signup"]).click()
    customer.locator("input[name=email]").fill(customer_email)
    customer.locator("input[name=password1]").fill("a-long-unique-passphrase")
    customer.locator("input[name=password2]").fill("a-long-unique-passphrase")
    customer.locator("form button[type=submit]").last.click()
    verification = latest_mail_to(customer_email)
    assert verification.pk != invitation_mail.pk
    assert "/confirm-email/" not in verification.text_body  # a code for this browser, no link for anyone
    enter_verification_code(customer, customer_email)

    # Back on the request: create the tenant, sign the agreement, accept.
    expect(customer).to_have_url(f"{base}/r/")
    customer.locator("#tenant-new").check()
    customer.get_by_label(t["company"]).fill(f"Northwind {language.upper()}")
    customer.get_by_label(t["domain"]).fill(f"northwind-{language}.example")
    customer.locator("#id_country").select_option("JP")
    customer.get_by_label(t["name"]).fill("Ada Admin")
    customer.locator("#id_agreement_accepted").check()
    customer.locator("button[name=action][value=accept]").click()
    expect(customer.locator("main h1")).to_contain_text("Contoso Cloud Solutions KK")
    relationship = Relationship.objects.get(customer__primary_domain=f"northwind-{language}.example")
    assert DelegatedAdminGrant.objects.filter(customer=relationship.customer, status="approval_pending").exists()

    # The partner sees the customer and expands its row.
    page.goto(f"{base}/p/{relationship.partner.partner_id}/customers/")
    row = page.get_by_role("row").filter(has_text=f"Northwind {language.upper()}")
    expect(row).to_be_visible()
    toggle = row.locator(".expand-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    details = page.locator(f"#details-{relationship.customer.tenant_id}")
    expect(details).to_contain_text(f"northwind-{language}.example")
    expect(details).to_contain_text(f"#{relationship.established_by_id}")
