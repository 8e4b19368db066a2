"""WCAG 2.1 A/AA checks with axe-core (vendored) on the main pages, in Debian chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from customers.models import Customer
from demo.data import build_demo_world
from invitations.models import Invitation
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*.min.js")).read_text()


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A page whose context lets axe-core be injected despite the site's strict CSP."""
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def test_partner_console_pages_have_no_wcag_violations(page: Page, live_server, demo_world):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    assert axe_violations(page) == []
    sign_in(page, base, "admin@contoso-cloud.example")
    invitation = Invitation.objects.filter(partner__partner_id="4100001", status="pending").first()
    paths = [
        "/p/4100001/",
        "/p/4100001/customers/",
        "/p/4100001/invitations/",
        "/p/4100001/customers/request/",
        f"/p/4100001/invitations/{invitation.pk}/draft/",
        "/p/4100001/delegated-admin/",
        "/p/4100001/settings/users/",
        "/p/4100001/settings/relationship-link/",
        "/p/4100001/activity/",
        "/mailbox/",
        "/p/4100001/insights/onboarding/",
        "/p/4100001/settings/domain/",
    ]
    northwind = Customer.objects.get(primary_domain="northwind.example")
    paths += [f"/p/4100001/customers/{northwind.tenant_id}/{page_path}" for page_path in ("", "subscriptions/", "users/", "remove/")]
    problems = {}
    for path in paths:
        page.goto(base + path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_customer_pages_have_no_wcag_violations(page: Page, live_server, demo_world, browser):
    base = live_server.url
    northwind = Customer.objects.get(primary_domain="northwind.example")
    context = browser.new_context(bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    customer = context.new_page()
    sign_in(customer, base, "it@northwind.example")
    problems = {}
    for path in (f"/c/{northwind.tenant_id}/", f"/c/{northwind.tenant_id}/partners/", f"/c/{northwind.tenant_id}/activity/"):
        customer.goto(base + path)
        found = axe_violations(customer)
        if found:
            problems[path] = found
    assert problems == {}
