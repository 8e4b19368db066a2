"""Renewals in Debian chromium, in English and Japanese (issue 24 item 2): the funnel's renewal window → the
Delegated admin list filtered to grants ending soon → tick grants → renew them in one action → each
customer's result → the list and the customer's page say "Renewal requested". Celery runs eagerly."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demo.data import build_demo_world
from invitation_batches.models import DelegatedAdminBatch
from relationships.models import DelegatedAdminGrant
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"renew": "Renew the selected grants", "heading": "Renew delegated admin", "submit": "Request the renewals",
           "requested": "Renewal requested", "window": "Ending within 90 days"},
    "ja": {"renew": "選択した付与を更新", "heading": "委任管理者を更新", "submit": "更新を依頼する",
           "requested": "更新を依頼済み", "window": "90 日以内に終了"},
}


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_renew_grants_ending_soon_from_the_funnel(browser, live_server, demo_world, language):  # type: ignore[no-untyped-def]
    words = WORDS[language]
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    sign_in(page, base, "admin@contoso-cloud.example")
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/p/4100001/insights/onboarding/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    window = page.locator('[data-renewal-links] a[data-ending="90"]')
    expect(window).to_contain_text(words["window"])
    window.click()

    assert page.url.endswith("/delegated-admin/?ending=90")
    boxes = page.locator('input[name="grant"][form="grant-renew"]')
    expect(boxes).not_to_have_count(0)
    count = boxes.count()
    expect(page.locator('[data-ending="90"] [data-ending-count]')).to_have_text(str(count))
    expect(page.locator('[data-renewal="not_renewed"]')).to_have_count(count)
    chosen = [int(boxes.nth(n).get_attribute("value") or 0) for n in range(min(2, count))]
    for n in range(len(chosen)):
        boxes.nth(n).check()
    page.get_by_role("button", name=words["renew"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words["heading"])
    expect(page.locator("[data-renew-grants] input:checked")).to_have_count(len(chosen))
    page.get_by_role("button", name=words["submit"]).click()

    expect(page.locator("[data-gdap-summary]")).to_be_visible()
    expect(page.locator("tr[data-gdap-row]")).to_have_count(len(chosen))
    batch = DelegatedAdminBatch.objects.get()
    assert batch.source == "renewal" and sorted(batch.rows.values_list("renews_grant_id", flat=True)) == sorted(chosen)
    assert set(batch.rows.values_list("status", flat=True)) == {"created"}

    page.goto(f"{base}/p/4100001/delegated-admin/?ending=90")
    requested = page.locator('[data-renewal="requested"]')
    expect(requested).to_have_count(len(chosen))
    expect(requested.first).to_contain_text(words["requested"])
    grant = DelegatedAdminGrant.objects.select_related("customer").get(pk=chosen[0])
    page.goto(f"{base}/p/4100001/customers/{grant.customer.tenant_id}/")
    expect(page.locator('[data-renewal="requested"]')).to_contain_text(words["requested"])
    context.close()
