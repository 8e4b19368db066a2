"""In Debian chromium: an operator works in the staff console, and the partner sees it in its activity log.

Staff signs in with password + TOTP → filters the audit log for one customer → exports it as CSV →
cancels a pending invitation and terminates a delegated admin grant, each with a reason, through
admin actions → the partner's account admin finds both staff actions in the Activity log.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from audit.actions import AuditAction
from audit.models import AuditEvent
from demo.data import build_demo_world
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant
from relationships.services import grant_approve
from tests.browser.test_console import sign_in
from tests.factories import PASSWORD
from tests.staff.users import OPERATOR, enable_totp, staff_user, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    world = build_demo_world()
    grant = DelegatedAdminGrant.objects.get(partner__partner_id="4100001", customer__primary_domain="northwind.example")
    grant_approve(grant=grant, user=User.objects.get(email="it@northwind.example"))
    return world


def test_operator_cancels_and_terminates_with_reasons_and_the_partner_sees_it(page: Page, live_server, world, browser):
    operator = staff_user(group=OPERATOR, email="operator@partnercenter.example")
    secret = enable_totp(operator)
    pending = Invitation.objects.get(sent_to="it@fourthcoffee.example")
    grant = DelegatedAdminGrant.objects.get(customer__primary_domain="northwind.example", status=GrantStatus.ACTIVE)

    # Password, then the second factor: the staff console requires TOTP.
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(operator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.locator('input[name="code"]').fill(totp_code(secret))
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="Audit and support")).to_be_visible()

    # The audit log, narrowed to one customer.
    page.goto(f"{live_server.url}/admin/audit/auditevent/")
    page.get_by_role("searchbox", name="Customer").fill("northwind.example")
    page.get_by_role("searchbox", name="Customer").press("Enter")
    expect(page).to_have_url(re.compile(r"customer=northwind\.example"))
    result_list = page.locator("#result_list tbody tr")
    expect(result_list.first).to_be_visible()
    northwind_events = AuditEvent.objects.filter(customer__primary_domain="northwind.example").count()
    expect(result_list).to_have_count(northwind_events)

    # Export exactly that list as CSV.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("audit-events-") and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0][:4] == ["Time", "Actor", "Action code", "Action"]
    assert len(rows) == 1 + northwind_events
    assert {row[9] for row in rows[1:]} == {"Northwind Traders"}

    # Cancel the pending invitation, with a reason.
    page.goto(f"{live_server.url}/admin/invitations/invitation/?status__exact=pending")
    page.locator(f'input[name="_selected_action"][value="{pending.pk}"]').check()
    page.get_by_role("combobox", name="Action").select_option("cancel_invitations")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Cancel invitations")).to_be_visible()
    page.get_by_role("button", name="Cancel invitations").click()  # no reason yet: refused
    expect(page.get_by_text("Give a reason: it goes into the audit log.")).to_be_visible()
    page.get_by_label("Reason").fill("The customer asked us to withdraw this request.")
    page.get_by_role("button", name="Cancel invitations").click()
    expect(page.get_by_text("1 invitation cancelled.")).to_be_visible()
    pending.refresh_from_db()
    assert pending.status == InvitationStatus.CANCELLED

    # Terminate the active grant, with a reason.
    page.goto(f"{live_server.url}/admin/relationships/delegatedadmingrant/")
    page.locator(f'input[name="_selected_action"][value="{grant.pk}"]').check()
    page.get_by_role("combobox", name="Action").select_option("terminate_grants")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Reason").fill("Security review: admin access is suspended.")
    page.get_by_role("button", name="Terminate grants").click()
    expect(page.get_by_text("1 grant terminated.")).to_be_visible()
    grant.refresh_from_db()
    assert grant.status == GrantStatus.TERMINATED
    assert AuditEvent.objects.filter(actor=operator, action=AuditAction.GRANT_TERMINATED).exists()

    # The partner's account admin sees both staff actions in the Activity log.
    partner_page = browser.new_context().new_page()
    sign_in(partner_page, live_server.url, "admin@contoso-cloud.example")
    partner_page.get_by_role("navigation", name="Partner console").get_by_role("link", name="Activity log").click()
    expect(partner_page.get_by_role("heading", name="Activity log", level=1)).to_be_visible()
    table = partner_page.get_by_role("table")
    cancelled = table.get_by_role("row").filter(has_text="Invitation cancelled")
    expect(cancelled).to_contain_text(operator.email)
    expect(cancelled).to_contain_text("The customer asked us to withdraw this request.")
    expect(cancelled).to_contain_text("Platform staff")
    removed = table.get_by_role("row").filter(has_text="Delegated admin roles removed")
    expect(removed).to_contain_text("Security review: admin access is suspended.")
    expect(removed).to_contain_text("Northwind Traders")

    # Narrow to what staff did: the user filter lists the operator.
    partner_page.get_by_label("User").select_option(operator.email)
    partner_page.get_by_role("button", name="Filter").click()
    expect(table.get_by_role("row")).to_have_count(1 + 2)  # header + the two staff actions
