"""In Debian chromium: a demo partner user signs in and works in the console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from demo.data import build_demo_world
from demo.users import DEMO_PASSWORD
from notifications.models import MailboxMessage
from partners.models import PartnerMembership
from tests.browser.mailbox import enter_verification_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_demo_account_admin_signs_in_and_sees_the_console(page: Page, live_server, demo_world):
    sign_in(page, live_server.url, "admin@contoso-cloud.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contoso Cloud Solutions KK")
    nav = page.get_by_role("navigation", name="Partner console")
    expect(nav.get_by_role("link", name="Users and roles")).to_be_visible()
    nav.get_by_role("link", name="Users and roles").click()
    expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"^Sales \(Contoso\) sales@"))).to_be_visible()


def test_sales_agent_sees_the_console_without_partner_settings(page: Page, live_server, demo_world):
    sign_in(page, live_server.url, "sales@contoso-cloud.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contoso Cloud Solutions KK")
    expect(page.get_by_role("link", name="Users and roles")).to_have_count(0)


def test_invited_colleague_signs_up_from_the_email_and_joins(page: Page, live_server, demo_world, browser):
    sign_in(page, live_server.url, "admin@contoso-cloud.example")
    page.get_by_role("navigation", name="Partner console").get_by_role("link", name="Users and roles").click()
    page.get_by_label("Email address").fill("colleague@contoso-cloud.example")
    page.get_by_label("Helpdesk agent").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert").filter(has_text="Invitation sent")).to_be_visible()

    # The invitee reads the email in the mailbox, in a browser of their own.
    invitee = browser.new_context().new_page()
    invitee.goto(f"{live_server.url}/mailbox/?to=colleague")
    invitee.get_by_role("link", name=re.compile("invited to join Contoso")).click()
    link = re.search(r"http://\S+/join/\S+", MailboxMessage.objects.get(to="colleague@contoso-cloud.example").text_body)
    assert link is not None
    invitee.goto(link.group(0).replace("http://127.0.0.1:8000", live_server.url))
    expect(invitee).to_have_url(f"{live_server.url}/join/")  # the token left the address bar
    expect(invitee.get_by_role("heading", level=1)).to_contain_text("Join Contoso Cloud Solutions KK")
    invitee.get_by_role("link", name="Create an account").click()
    invitee.get_by_label("Email").fill("colleague@contoso-cloud.example")
    invitee.get_by_label("Password", exact=True).fill("a-long-unique-passphrase")
    invitee.get_by_label("Password (again)").fill("a-long-unique-passphrase")
    invitee.get_by_role("button", name="Sign Up").click()
    # Holding the link proves nothing about the mailbox: a code sent to it must come back.
    expect(invitee.get_by_role("heading", level=1)).to_contain_text("Enter Email Verification Code")
    enter_verification_code(invitee, "colleague@contoso-cloud.example")
    expect(invitee).to_have_url(f"{live_server.url}/join/")
    invitee.get_by_role("button", name="Join Contoso Cloud Solutions KK").click()
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Contoso Cloud Solutions KK")
    assert PartnerMembership.objects.get(user__email="colleague@contoso-cloud.example").roles == ["helpdesk_agent"]


def test_console_switches_to_japanese(page: Page, live_server, demo_world):
    sign_in(page, live_server.url, "admin@contoso-cloud.example")
    page.get_by_label("Language").select_option("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("navigation", name="パートナー コンソール")).to_be_visible()
