"""The list pages (Customers, Invitations, Activity, the bulk preview, Delegated admin, Service requests,
Users) at 1280 and 390 px, in English and Japanese (issue 22 items 1-2): no horizontal
page scroll; at 1280 px no table hides a column (its action included) in a sideways scroll; at 390 px
any sideways scroll stays inside the table's own scroll area, a table shown as cards (.table-cards) does not
scroll at all, and each row's action is on screen."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page

from demo.data import build_demo_world
from tests.browser.test_console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)

MEASURE = """() => {
  const doc = document.documentElement;
  const tables = Array.from(document.querySelectorAll('.table-responsive')).map(e => e.scrollWidth - e.clientWidth);
  const cards = Array.from(document.querySelectorAll('.table-responsive')).filter(e => e.querySelector('table.table-cards'))
    .map(e => e.scrollWidth - e.clientWidth);
  const actions = Array.from(document.querySelectorAll('td.cell-actions .btn'))
    .filter(e => e.offsetParent !== null)
    .filter(e => { const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1 || r.left < 0; }).length;
  const thin = Array.from(document.querySelectorAll('table th')).filter(th => th.offsetParent !== null && !th.querySelector('.visually-hidden') && th.textContent.trim().length > 1)
    .filter(th => th.getBoundingClientRect().width < 28).map(th => th.textContent.trim());
  const header = document.querySelector('header.topbar').getBoundingClientRect().height;
  return {page: doc.scrollWidth - window.innerWidth, tables, cards, actions, thin, header};
}"""


@pytest.fixture
def demo_world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    return build_demo_world()


def _bulk_preview(partner_id: str) -> str:
    from invitation_batches.services import invitation_batch_upload
    from partners.models import PartnerMembership
    from tests.invitation_batches.conftest import csv_text, good_row

    membership = PartnerMembership.objects.get(partner__partner_id=partner_id, user__email="admin@contoso-cloud.example")
    batch = invitation_batch_upload(membership=membership, stream=io.BytesIO(csv_text(
        [good_row(1), good_row(2, country="ZZ"), good_row(3, recipient_email="not-an-address"), good_row(4)]).encode()))
    return f"/p/{partner_id}/invitations/bulk/{batch.pk}/"


def test_main_list_pages_fit_1280_and_390_in_both_languages(browser, live_server, demo_world):  # type: ignore[no-untyped-def]
    from customers.models import Customer
    from partners.models import Partner
    from tests.factories import ServiceRequestFactory

    # The demo files no service request for Contoso: two, so the Service requests table is measured too.
    ServiceRequestFactory.create_batch(2, partner=Partner.objects.get(partner_id="4100001"),
                                       customer=Customer.objects.get(primary_domain="northwind.example"))
    paths = ["/p/4100001/customers/", "/p/4100001/invitations/", "/p/4100001/activity/", _bulk_preview("4100001"),
             "/p/4100001/delegated-admin/", "/p/4100001/service-requests/", "/p/4100001/settings/users/"]
    problems = []
    checked = 0
    for language in ("en", "ja"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page: Page = context.new_page()
        sign_in(page, live_server.url, "admin@contoso-cloud.example")
        page.wait_for_load_state()
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for path in paths:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server.url + path)
                found = page.evaluate(MEASURE)
                checked += 1
                if found["page"] > 0:
                    problems.append((language, width, path, "page scrolls sideways by", found["page"]))
                if width == 1280 and any(hidden > 0 for hidden in found["tables"]):
                    problems.append((language, width, path, "table hides columns (px)", found["tables"]))
                if width == 390 and any(hidden > 0 for hidden in found["cards"]):
                    problems.append((language, width, path, "card table scrolls sideways (px)", found["cards"]))
                if found["actions"]:
                    problems.append((language, width, path, "row actions off screen", found["actions"]))
                if width == 1280 and found["header"] > 70:  # one row: brand, partner, search, bell, mailbox, language, user
                    problems.append((language, width, path, "header wraps to a second row (px high)", found["header"]))
                if found["thin"]:
                    problems.append((language, width, path, "headers one character wide", found["thin"]))
        context.close()
    assert checked == 28
    assert problems == []
