"""Issue 24 items 5 and 7 in Debian chromium, in English and in Japanese: a member tags a customer,
writes a note, filters the Customers page by the tag and renames it; an account admin sets the
partner's defaults and the next request form opens with them."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from customers.models import Customer
from demo.data import build_demo_world
from partners.models import Partner
from relationships.models import CustomerNote, CustomerTag
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CONTOSO = "4100001"


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def words(language: str):  # type: ignore[no-untyped-def]
    def _(text: str) -> str:
        with translation.override(language):
            return gettext(text)
    return _


def in_language(page: Page, language: str) -> None:
    if language == "ja":
        page.get_by_label("Language").select_option("ja")
        expect(page.locator("html")).to_have_attribute("lang", "ja")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_tag_a_customer_write_a_note_filter_by_the_tag_and_rename_it(page: Page, live_server, demo_world, language):
    _ = words(language)
    base = live_server.url
    northwind = Customer.objects.get(primary_domain="northwind.example")
    sign_in(page, base, "agent@contoso-cloud.example")
    in_language(page, language)
    page.goto(f"{base}/p/{CONTOSO}/customers/{northwind.tenant_id}/")
    page.get_by_label(_("Tags, separated by commas")).fill("VIP, 更新 Q3")
    page.get_by_role("button", name=_("Save tags")).click()
    expect(page.locator("#tags")).to_contain_text("VIP")
    page.get_by_label(_("New note")).fill("Prefers calls after 10am / 午前10時以降に連絡")
    page.get_by_role("button", name=_("Add note")).click()
    note = page.locator("article.customer-note").first
    expect(note).to_contain_text("午前10時以降")
    expect(note).to_contain_text("agent@contoso-cloud.example")
    assert CustomerNote.objects.get().author.email == "agent@contoso-cloud.example"

    page.goto(f"{base}/p/{CONTOSO}/customers/")
    page.get_by_label(_("Tag"), exact=True).select_option(label="VIP")
    page.get_by_role("button", name=_("Apply")).click()
    rows = page.locator("table.customers-table tbody tr:not(.details-row)")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Northwind")

    page.get_by_role("link", name=_("Manage tags")).click()
    vip = CustomerTag.objects.get(name="VIP")
    page.locator(f"#tag-{vip.pk}-name").fill("Gold")
    page.locator("li", has=page.locator(f"#tag-{vip.pk}-name")).get_by_role("button", name=_("Rename")).click()
    expect(page.get_by_role("link", name="Gold")).to_be_visible()
    assert sorted(CustomerTag.objects.values_list("name", flat=True)) == ["Gold", "更新 Q3"]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_account_admin_sets_the_defaults_and_the_request_form_opens_with_them(page: Page, live_server, demo_world, language):
    _ = words(language)
    base = live_server.url
    sign_in(page, base, "admin@contoso-cloud.example")
    in_language(page, language)
    page.get_by_role("navigation").get_by_role("link", name=_("Defaults"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Defaults"))
    page.locator("#bundle-helpdesk").check()
    page.get_by_label(_("Duration (days)")).fill("120")
    page.get_by_label(_("Auto-extend by 180 days at the end")).check()
    page.get_by_label(_("Reply-to address")).fill("support@contoso-cloud.example")
    page.get_by_label(_("Signature")).fill("Contoso Cloud サポート")
    page.get_by_role("button", name=_("Save")).click()
    expect(page.get_by_role("alert").or_(page.locator(".alert")).first).to_contain_text(
        _("Defaults saved. New requests and invitation emails use them from now on."))
    partner = Partner.objects.get(partner_id=CONTOSO)
    assert (partner.default_grant_duration_days, partner.default_grant_auto_extend, partner.invitation_reply_to) == (
        120, True, "support@contoso-cloud.example")

    page.goto(f"{base}/p/{CONTOSO}/delegated-admin/request/")
    expect(page.get_by_label(_("Duration (days)"))).to_have_value("120")
    expect(page.locator("#bundle-helpdesk")).to_be_checked()
    expect(page.get_by_label(_("Auto-extend by 180 days at the end"))).to_be_checked()
