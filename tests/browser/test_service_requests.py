"""In Debian chromium: a partner agent creates a customer and files a service request; the customer answers it."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from partners.choices import PartnerRole
from relationships.models import Relationship
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    CustomerMembershipFactory,
    PartnerFactory,
    PartnerMembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_agent_files_a_request_and_the_customer_answers(page: Page, live_server, browser):  # type: ignore[no-untyped-def]
    partner = PartnerFactory(name="Contoso Cloud", country="JP")
    PartnerMembershipFactory(partner=partner, user=UserFactory(email="agent@contoso.example"), roles=[PartnerRole.ADMIN_AGENT])
    customer = CustomerFactory(company_name="Northwind", primary_domain="northwind.example", country="JP")
    CustomerMembershipFactory(customer=customer, user=UserFactory(email="it@northwind.example"))
    Relationship.objects.create(partner=partner, customer=customer)

    sign_in(page, live_server.url, "agent@contoso.example")
    page.goto(f"{live_server.url}/p/{partner.partner_id}/customers/")
    page.get_by_role("link", name="Create customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a new customer")
    page.get_by_label("Company name").fill("Fabrikam Tea")
    page.get_by_label("Primary domain").fill("fabrikam-tea.example")
    page.get_by_label("First global admin's email").fill("admin@fabrikam-tea.example")
    shot(page, "customer_create")
    page.get_by_role("button", name="Create and invite the admin").click()
    expect(page.get_by_role("alert").filter(has_text="Fabrikam Tea was created")).to_be_visible()

    page.get_by_role("navigation", name="Partner console").get_by_role("link", name="Service requests").click()
    page.get_by_role("link", name="File a service request").first.click()
    page.get_by_label("Customer", exact=True).select_option(label="Northwind (northwind.example)")
    page.get_by_label("Title").fill("Mail from outside bounces")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Description").fill("Since 09:00 UTC external mail bounces with 550 5.7.1.")
    shot(page, "service_request_create")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mail from outside bounces")
    page.get_by_role("button", name="In progress").click()
    expect(page.get_by_role("alert").filter(has_text="is now In progress")).to_be_visible()
    page.get_by_label("Add a note").fill("Escalated to the mail team; which mailboxes are affected?")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Escalated to the mail team")).to_be_visible()
    shot(page, "service_request_detail")

    customer_page = browser.new_context().new_page()
    sign_in(customer_page, live_server.url, "it@northwind.example")
    customer_page.goto(f"{live_server.url}/c/{customer.tenant_id}/")
    customer_page.get_by_role("link", name="Service requests").click()
    expect(customer_page.get_by_role("cell", name="Contoso Cloud")).to_be_visible()
    customer_page.get_by_role("link", name=re.compile("Mail from outside bounces")).click()
    customer_page.get_by_label("Add a note for your partner").fill("All mailboxes of the sales team.")
    customer_page.get_by_role("button", name="Add note").click()
    expect(customer_page.get_by_text("All mailboxes of the sales team.")).to_be_visible()
    shot(customer_page, "customer_service_request")

    page.reload()
    expect(page.get_by_text("All mailboxes of the sales team.")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Closed").click()
    expect(page.get_by_role("alert").filter(has_text="is now Closed")).to_be_visible()
    expect(page.get_by_label("Add a note")).to_have_count(0)


def test_service_request_and_customer_pages_have_no_wcag_violations(browser, live_server):  # type: ignore[no-untyped-def]
    from tests.browser.test_accessibility import axe_violations
    from tests.factories import ServiceRequestFactory, ServiceRequestNoteFactory

    partner = PartnerFactory(name="Contoso Cloud", country="JP")
    PartnerMembershipFactory(partner=partner, user=UserFactory(email="agent@contoso.example"),
                             roles=[PartnerRole.ADMIN_AGENT, PartnerRole.SALES_AGENT])
    customer = CustomerFactory(company_name="Northwind", primary_domain="northwind.example", country="JP")
    CustomerMembershipFactory(customer=customer, user=UserFactory(email="it@northwind.example"))
    Relationship.objects.create(partner=partner, customer=customer)
    sr = ServiceRequestFactory(partner=partner, customer=customer, severity="critical", status="attention_needed")
    ServiceRequestNoteFactory(service_request=sr)
    ServiceRequestNoteFactory(service_request=sr, side="customer", author_label="it@northwind.example")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "agent@contoso.example")
    base = f"{live_server.url}/p/{partner.partner_id}"
    for path in ("/service-requests/", f"/service-requests/new/?customer={customer.tenant_id}", f"/service-requests/{sr.pk}/",
                 "/customers/new/", f"/customers/{customer.tenant_id}/agreement/"):
        page.goto(base + path)
        assert axe_violations(page) == [], path
    customer_page = browser.new_context(bypass_csp=True).new_page()
    sign_in(customer_page, live_server.url, "it@northwind.example")
    for path in ("/service-requests/", f"/service-requests/{sr.pk}/"):
        customer_page.goto(f"{live_server.url}/c/{customer.tenant_id}{path}")
        assert axe_violations(customer_page) == [], path
    context.close()
