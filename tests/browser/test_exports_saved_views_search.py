"""Export, saved views and search in Debian chromium, in English and in Japanese (issue 24, items 3 and 4):
filter the Customers list → export it as CSV → save the filters as the default view → the list opens with
it → find a customer with the console's search box. Every label the test uses is the catalog's
translation in the language under test, so the Japanese run reads the Japanese page."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from demo.data import build_demo_world
from partners.models import Partner, SavedView
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def t(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_export_the_filtered_customers_save_the_view_and_search(page: Page, live_server, demo_world, language):
    base = live_server.url
    sign_in(page, base, "admin@contoso-cloud.example")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    partner = Partner.objects.get(name__startswith="Contoso")
    customers_url = f"{base}/p/{partner.partner_id}/customers/"

    page.goto(f"{customers_url}?q=northwind")
    expect(page.locator("html")).to_have_attribute("lang", language)
    with page.expect_download() as download:
        page.get_by_role("link", name=t(language, "Export CSV")).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    header, *rows = [line for line in text.splitlines() if line]
    assert header.startswith(t(language, "Customer") + ",")  # the columns in the page's language
    assert rows and all("Northwind" in row for row in rows)

    page.locator("summary", has_text=t(language, "Save these filters")).click()
    page.get_by_label(t(language, "View name")).fill("Northwind only")
    page.get_by_label(t(language, "Open this list with it")).check()
    page.get_by_role("button", name=t(language, "Save view")).click()
    view = SavedView.objects.get(name="Northwind only")
    assert view.is_default and view.query_string == "q=northwind"

    page.goto(customers_url)  # no filters: the list opens with the default view
    expect(page.locator(".list-tools .dropdown-toggle")).to_contain_text("Northwind only")
    expect(page.get_by_role("link", name="Northwind", exact=False).first).to_be_visible()

    search = page.get_by_role("searchbox", name=t(language, "Search customers, invitations, delegated admin and service requests"))
    search.fill("Northwind")
    search.press("Enter")
    results = page.get_by_role("region", name=t(language, "Customers"))
    expect(results.get_by_role("link").first).to_contain_text("Northwind")
