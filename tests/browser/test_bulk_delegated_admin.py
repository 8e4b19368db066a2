"""Bulk delegated admin in Debian chromium (issue 24): select customers on the Customers page → the
request form → each customer's result and the result CSV, in English and in Japanese (every label the
test uses is the catalog's translation in the language under test). Celery runs eagerly (after the commit)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from customers.models import Customer
from demo.data import build_demo_world
from invitation_batches.models import DelegatedAdminBatch
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def t(language: str, text: str, **values: object) -> str:
    with translation.override(language):
        return gettext(text) % values if values else gettext(text)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_select_customers_and_request_admin_roles_in_bulk(page: Page, live_server, demo_world, language):
    base = live_server.url
    northwind = Customer.objects.get(primary_domain="northwind.example")
    sign_in(page, base, "agent@contoso-cloud.example")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.reload()
    page.get_by_role("link", name=t(language, "Customers")).first.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_label(t(language, "Select %(name)s", name=northwind.company_name), exact=True).first.check()
    page.get_by_role("button", name=t(language, "Request admin roles for the selected customers")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Request admin roles from many customers"))
    expect(page.locator("[data-gdap-selected] input:checked")).to_have_count(1)
    page.get_by_label(t(language, "More customers: tenant ids or primary domains")).fill("nobody-here.example")
    page.locator("#bundle-helpdesk").check()
    page.get_by_label(t(language, "Duration (days)")).fill("90")
    page.get_by_role("button", name=t(language, "Request admin roles"), exact=True).click()

    batch_heading = t(language, "Bulk admin roles request #%(id)s", id="")
    expect(page.get_by_role("heading", level=1)).to_contain_text(batch_heading)
    expect(page.locator("[data-gdap-summary]")).to_contain_text(t(
        language, "Created: %(created)s · Already covered: %(covered)s · Not allowed: %(refused)s",
        created="\0", covered="\0", refused=1).split("\0")[-1])
    rows = page.locator("tr[data-gdap-row]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Northwind")
    expect(rows.nth(1)).to_contain_text(t(language, "None of your customers has this tenant id or primary domain."))
    batch = DelegatedAdminBatch.objects.get()
    assert batch.rows.get(line=1).customer_id == northwind.pk
    assert batch.rows.get(line=1).status in {"created", "covered"}
    with page.expect_download() as download:
        page.get_by_role("link", name=t(language, "Download the result (CSV)")).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert text.startswith("line,given,tenant_id") and str(northwind.tenant_id) in text and "nobody-here.example" in text
