"""In Debian chromium: a partner opens a customer, provisions a subscription, assigns a support contact,
files a service request, suspends its subscriptions, removes the relationship; the customer's admin
center shows it ended.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer
from demo.data import build_demo_world
from relationships.models import Relationship
from servicerequests.models import ServiceRequest
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def test_provision_support_contact_suspend_remove_and_customer_sees_it_ended(page: Page, live_server, demo_world, browser):
    base = live_server.url
    northwind = Customer.objects.get(primary_domain="northwind.example")
    page.on("dialog", lambda dialog: dialog.accept())

    # The admin agent opens the customer from the Customers page.
    sign_in(page, base, "agent@contoso-cloud.example")
    page.get_by_role("navigation", name="Partner console").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Northwind Traders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Traders")
    page.get_by_role("link", name="Manage subscriptions and support contacts").click()

    # Provisions a subscription from the catalog.
    page.get_by_label("Product", exact=True).select_option("cloud-platform")
    page.get_by_label("Quantity", exact=True).fill("1")
    page.get_by_role("button", name="Provision").click()
    expect(page.locator(".alert-success")).to_contain_text("Cloud platform subscription (quantity 1) provisioned")

    # Assigns a support contact to it.
    row = page.locator("tr", has_text="Cloud platform subscription")
    row.get_by_label(re.compile("Support contact for")).select_option(label="sales@contoso-cloud.example")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("sales@contoso-cloud.example is now the support contact")
    subscriptions_url = page.url

    # Files a service request on the customer's behalf from the customer's row.
    page.goto(f"{base}/p/4100001/customers/{northwind.tenant_id}/")
    page.get_by_role("link", name="File a service request").click()
    page.get_by_label("Title").fill("Mail from outside bounces")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Description").fill("Since 09:00 UTC external mail bounces with 550 5.7.1.")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mail from outside bounces")
    assert ServiceRequest.objects.get(partner__partner_id="4100001", customer=northwind).title == "Mail from outside bounces"
    page.goto(subscriptions_url)

    # Removal is blocked while subscriptions are active: the page lists them with links.
    page.get_by_role("link", name="Remove relationship").click()
    blockers = page.locator("ul.blockers li")
    expect(blockers).to_have_count(3)
    expect(page.get_by_role("button", name="Remove relationship")).to_have_count(0)
    blockers.filter(has_text="Cloud platform subscription").get_by_role("link").click()

    # Suspends every active subscription.
    for _ in range(3):
        page.get_by_role("button", name=re.compile("^Suspend")).first.click()
        expect(page.locator(".alert-success")).to_contain_text("suspended")
    expect(page.get_by_role("button", name=re.compile("^Reactivate"))).to_have_count(3)

    # Now nothing blocks: removes the relationship.
    page.get_by_role("link", name="Remove relationship").click()
    page.get_by_label(re.compile("Reason")).fill("Moving to a direct agreement")
    page.get_by_role("button", name="Remove relationship").click()
    expect(page.locator(".alert-success")).to_contain_text("The relationship with Northwind Traders has ended")
    assert Relationship.objects.get(partner__partner_id="4100001", customer=northwind).status == "terminated"

    # The customer's global admin sees the relationship ended in the admin center.
    context = browser.new_context()
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    customer = context.new_page()
    sign_in(customer, base, "it@northwind.example")
    customer.goto(f"{base}/c/{northwind.tenant_id}/partners/")
    resellers = customer.locator("section", has=customer.get_by_role("heading", name="Resellers"))
    row = resellers.locator("tr", has_text="Contoso Cloud Solutions KK")
    expect(row).to_contain_text("Terminated")
    expect(row.get_by_role("button", name=re.compile("End relationship"))).to_have_count(0)
    context.close()


def test_customers_row_expands_from_the_keyboard_showing_loading_then_error_then_details(page: Page, live_server, demo_world):
    base = live_server.url
    northwind = Customer.objects.get(primary_domain="northwind.example")
    row_path = f"/p/4100001/customers/{northwind.tenant_id}/"
    sign_in(page, base, "agent@contoso-cloud.example")
    page.goto(f"{base}/p/4100001/customers/")
    toggle = page.get_by_role("button", name="Show details of Northwind Traders")
    details = page.locator(f"#details-{northwind.tenant_id}")
    expect(details).to_be_hidden()

    # The first fetch hangs (loading line), then fails: the row says so and links to the customer's page.
    held: list = []

    def hold(route):  # type: ignore[no-untyped-def]
        held.append(route)

    page.route(f"**{row_path}", hold)
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(details.get_by_role("status")).to_have_text("Loading the details…")
    for _ in range(1200):  # Playwright hands the held request over while it processes events (≤ 60 s)
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the details request never reached the page's route"
    held[0].fulfill(status=500, body="failed")
    expect(details.get_by_role("alert")).to_contain_text("could not be loaded")
    expect(details.get_by_role("link", name="Northwind Traders")).to_have_attribute("href", row_path)
    page.unroute(f"**{row_path}", hold)

    # Collapsing and expanding again retries; the details arrive, with keyboard focus still on the button.
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(details).to_be_hidden()
    page.keyboard.press("Enter")
    expect(details.get_by_role("heading", name="Services")).to_be_visible()
    expect(details).to_contain_text("northwind.example")
    expect(toggle).to_be_focused()
