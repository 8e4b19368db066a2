"""The customer's approval page (the link emailed after lockForApproval) in Debian chromium:
readable, no WCAG 2.1 A/AA violations, and Approve activates the relationship."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from relationships.choices import GrantStatus
from relationships.grant_drafts import grant_approval_url, grant_draft_create, grant_lock_for_approval
from relationships.models import DelegatedAdminGrant
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_console import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A page whose context lets axe-core be injected despite the site's strict CSP."""
    context = browser.new_context(bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": "en", "url": "http://localhost"}])
    yield context.new_page()
    context.close()


def test_customer_approves_a_locked_relationship_from_the_emailed_link(page: Page, live_server, graph_world) -> None:  # type: ignore[no-untyped-def]
    grant = grant_draft_create(membership=graph_world.membership, customer=graph_world.customer, display_name="Contoso helpdesk",
                               roles=["729827e3-9c14-49f7-bb1b-9608f156bbb8", "f023fd81-a637-4b56-95fd-791ac0226033"],
                               duration_days=180, auto_extend=True)
    grant_lock_for_approval(grant=grant, membership=graph_world.membership)
    link = grant_approval_url(grant)
    sign_in(page, live_server.url, graph_world.customer_admin.email, PASSWORD)
    page.goto(live_server.url + link[link.index("/c/"):])
    expect(page.get_by_role("heading", level=1)).to_contain_text(graph_world.partner.name)
    expect(page.locator("main")).to_contain_text("Helpdesk Administrator")
    assert axe_violations(page) == []
    if os.environ.get("GRAPH_SCREENSHOT"):
        page.screenshot(path=os.environ["GRAPH_SCREENSHOT"], full_page=True)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".alert-success")).to_contain_text("approved")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE and DelegatedAdminGrant.objects.get(pk=grant.pk).starts_at is not None
