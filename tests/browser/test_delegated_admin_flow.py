"""Delegated admin in Debian chromium: request → customer approves → partner sees users → customer removes → denied."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer
from demo.data import build_demo_world
from notifications.models import MailboxMessage
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def test_request_approve_use_and_remove_admin_roles(page: Page, live_server, demo_world, browser):
    base = live_server.url
    northwind = Customer.objects.get(primary_domain="northwind.example")
    users_url = f"{base}/p/4100001/customers/{northwind.tenant_id}/users/"

    # The partner's admin agent requests helpdesk roles for an existing customer and sends the email.
    sign_in(page, base, "agent@contoso-cloud.example")
    page.get_by_role("link", name="Delegated admin").click()
    page.get_by_role("link", name="Request admin roles").first.click()
    page.get_by_label("Customer", exact=True).select_option(str(northwind.tenant_id))
    page.locator("#bundle-helpdesk").check()
    page.get_by_label("Duration (days)").fill("90")
    page.get_by_role("button", name="Next: email draft").click()
    page.locator("#id_recipient_email").fill("it@northwind.example")
    page.get_by_role("button", name="Send from the portal").click()
    expect(page.locator(".alert-success")).to_contain_text("it@northwind.example")

    # The customer's global admin opens the link, signs in, accepts, then approves in the admin center.
    message = MailboxMessage.objects.filter(to="it@northwind.example", subject__contains="admin roles").latest("sent_at")
    link = re.search(r"https?://\S+/r/\S+", message.text_body).group(0)  # type: ignore[union-attr]
    context = browser.new_context()
    # Northwind's admin prefers Japanese; this walk-through reads the English labels.
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    customer = context.new_page()
    customer.goto(re.sub(r"^https?://[^/]+", base, link))
    customer.get_by_role("link", name="Sign in").last.click()
    customer.get_by_label("Email").fill("it@northwind.example")
    customer.get_by_label("Password").fill("partnercenter-demo")
    customer.locator("main button[type=submit]").click()
    expect(customer).to_have_url(f"{base}/r/")
    customer.locator("button[name=action][value=accept]").click()
    customer.get_by_role("link", name="Open partner relationships").click()
    request = customer.locator(".border.rounded").filter(has_text="Service Support Administrator")
    request.get_by_role("button", name="Approve").click()
    expect(customer.locator(".alert-success")).to_contain_text("approved")

    # The admin agent can now open the customer's users.
    page.goto(users_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Users of Northwind Traders")
    expect(page.get_by_role("cell", name=re.compile("it@northwind.example"))).to_be_visible()

    # The customer removes the roles; the very same page now says no, and why.
    customer.on("dialog", lambda dialog: dialog.accept())
    customer.get_by_role("button", name=re.compile("Remove roles")).first.click()
    expect(customer.locator(".alert-success")).to_contain_text("removed")
    response = page.goto(users_url)
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name=re.compile("no permission"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("removed your organisation")
