"""In Debian chromium: the onboarding funnel with the demo data (screenshots in both languages),
and a customer checking an invitation's verification code and reporting it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.data import build_demo_world
from invitations.links import invitation_url
from invitations.models import Invitation
from invitations.verification_codes import invitation_verification_code
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_funnel_dashboard_draws_non_empty_charts_from_the_demo_data(browser, live_server, demo_world, language):
    context = browser.new_context(viewport={"width": 1400, "height": 1300})
    page = context.new_page()
    sign_in(page, live_server.url, "admin@contoso-cloud.example")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/p/4100001/insights/onboarding/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    for chart in ("chart-funnel", "chart-time-to-accept", "chart-grants"):
        svg = page.locator(f'svg[data-chart="{chart}"]')
        expect(svg).to_be_visible()
        widths = svg.locator("[data-value-bar]").evaluate_all("bars => bars.map(b => b.getBBox().width * b.getBBox().height)")
        assert len(widths) >= 3 and all(area > 0 for area in widths), (chart, widths)
    counts = page.locator('[data-table="funnel"] [data-count]').all_inner_texts()
    assert [int(c) for c in counts] == sorted((int(c) for c in counts), reverse=True) and int(counts[-1]) > 0
    expect(page.locator('[data-table="expiring-invitations"] tbody tr')).not_to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"onboarding-funnel-{language}.png"), full_page=True)
    # One-click resend of an invitation about to expire, back on the dashboard.
    page.locator('[data-table="expiring-invitations"] tbody tr').first.get_by_role("button").click()
    expect(page.locator(".alert-success, [role=alert]").first).to_be_visible()
    assert page.url.endswith("/insights/onboarding/")
    context.close()


def test_customer_compares_the_code_and_reports_the_invitation(browser, live_server, demo_world):
    invitation = Invitation.objects.filter(partner__partner_id="4100001", status="pending", sent_to__startswith="it@bellows").get()
    code = invitation_verification_code(invitation)
    partner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(partner, live_server.url, "admin@contoso-cloud.example")
    partner.goto(f"{live_server.url}/p/4100001/invitations/")
    expect(partner.locator("[data-verification-code]", has_text=code)).to_have_count(1)

    customer_context = browser.new_context(viewport={"width": 1280, "height": 1100})
    customer_context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    customer = customer_context.new_page()
    customer.goto(live_server.url + "/" + invitation_url(invitation).split("://", 1)[1].split("/", 1)[1])
    expect(customer.locator("[data-verification-code]")).to_have_text(code)
    expect(customer.locator('[data-domain-state="verified"]')).to_be_visible()
    expect(customer.get_by_text(re.compile("will be able to:"))).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    customer.screenshot(path=str(SCREENSHOTS / "acceptance-page.png"), full_page=True)
    customer.get_by_text("This was not me / report this invitation").click()
    customer.get_by_label(re.compile("What happened")).fill("Never heard of them.")
    customer.get_by_role("button", name="Decline and report").click()
    expect(customer.get_by_role("heading", name=re.compile("declined and reported"))).to_be_visible()
    invitation.refresh_from_db()
    assert invitation.status == "declined" and invitation.reported_at is not None
    customer_context.close()
