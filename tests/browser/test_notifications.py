"""In Debian chromium, in English and Japanese (issue 24 item 6): a partner user sees the unread count
on the header's bell, opens the list, marks one and then all read, and chooses the daily digest for a
kind of email; a customer global admin does the same in the admin center."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import Browser, expect

from accounts.models import User
from customers.models import Customer
from demo.data import build_demo_world
from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind
from notifications.inbox import notify_user
from notifications.models import Notification, NotificationPreference
from partners.models import Partner
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"list": "Notifications", "all": "Mark all as read", "prefs": "Email preferences",
           "digest": "Daily digest", "save": "Save my choices", "saved": "Your notification emails are saved.",
           "accepted": "Northwind Traders accepted invitation #7", "requested": "asks for admin roles"},
    "ja": {"list": "通知", "all": "すべて既読にする", "prefs": "メールの設定",
           "digest": "日次ダイジェスト", "save": "選択を保存", "saved": "通知メールの設定を保存しました。",
           "accepted": "Northwind Traders が招待 #7 を承諾しました", "requested": "管理者ロール「Helpdesk」を要求しています"},
}


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def _open(browser: Browser, base: str, email: str, language: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, email)
    page.wait_for_load_state()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context, page


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_partner_user_reads_notifications_and_chooses_the_daily_digest(browser, live_server, demo_world, language):
    words = WORDS[language]
    partner = Partner.objects.get(partner_id="4100001")
    admin = User.objects.get(email="admin@contoso-cloud.example")
    with transaction.atomic():
        for n in (7, 8):
            notify_user(user=admin, kind=NotificationKind.INVITATION_ACCEPTED, audience=NotificationAudience.PARTNER,
                        partner_id=partner.pk, params={"customer": "Northwind Traders", "invitation": n},
                        url="/p/4100001/invitations/")
    unread = Notification.objects.filter(user=admin, partner=partner, read_at__isnull=True).count()  # the demo's own, and these two
    assert unread >= 2
    context, page = _open(browser, live_server.url, admin.email, language)
    page.goto(f"{live_server.url}/p/4100001/")
    bell = page.locator("a.notification-bell")
    expect(bell.locator(".notification-count")).to_have_text(str(unread))
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["list"])
    expect(page.get_by_role("link", name=words["accepted"]).first).to_be_visible()
    page.locator("ul.notification-list form button").first.click()  # "Mark as read: <title>"
    expect(page.locator("a.notification-bell .notification-count")).to_have_text(str(unread - 1))
    page.get_by_role("button", name=words["all"], exact=True).click()
    expect(page.locator("ul.notification-list form button")).to_have_count(0)
    expect(page.get_by_role("button", name=words["all"])).to_have_count(0)
    assert not Notification.objects.filter(user=admin, read_at__isnull=True).exists()

    page.get_by_role("link", name=words["prefs"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["prefs"])
    mine = page.locator("form").filter(has=page.locator('input[name="scope"][value="mine"]'))
    mine.get_by_role("group").first.get_by_label(words["digest"]).check()
    mine.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_text(words["saved"])).to_be_visible()
    expect(page.locator(f'#mine-{NotificationKind.INVITATION_ACCEPTED}-digest')).to_be_checked()
    assert NotificationPreference.objects.get(user=admin).delivery == NotificationDelivery.DIGEST
    context.close()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_customer_global_admin_reads_notifications_in_the_admin_center(browser, live_server, demo_world, language):
    words = WORDS[language]
    customer = Customer.objects.get(primary_domain="northwind.example")
    user = User.objects.get(email="it@northwind.example")
    with transaction.atomic():
        notify_user(user=user, kind=NotificationKind.GRANT_REQUESTED, audience=NotificationAudience.CUSTOMER,
                    customer_id=customer.pk, params={"partner": "Contoso", "display_name": "Helpdesk"},
                    url=f"/c/{customer.tenant_id}/partners/")
    context, page = _open(browser, live_server.url, user.email, language)
    unread = Notification.objects.filter(user=user, customer=customer, read_at__isnull=True).count()
    page.goto(f"{live_server.url}/c/{customer.tenant_id}/")
    expect(page.locator("a.notification-bell .notification-count")).to_have_text(str(unread))
    page.locator("a.notification-bell").click()
    expect(page.get_by_role("link", name=words["requested"])).to_be_visible()
    page.get_by_role("button", name=words["all"], exact=True).click()
    expect(page.locator("a.notification-bell .notification-count")).to_be_hidden()
    page.get_by_role("link", name=words["prefs"]).click()
    page.locator(f'#mine-{NotificationKind.GRANT_REQUESTED}-off').check()
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_text(words["saved"])).to_be_visible()
    assert NotificationPreference.objects.get(user=user).delivery == NotificationDelivery.OFF
    context.close()
