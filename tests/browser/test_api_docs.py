"""In Debian chromium: the API reference renders from local files under the site's CSP, and an
account admin creates an API key in Partner settings and copies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    return problems


def test_swagger_ui_renders_without_csp_violations(page: Page, live_server):  # type: ignore[no-untyped-def]
    problems = watch_console(page)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15000)
    expect(page.get_by_text("/api/v1/invitations/{id}/cancel").first).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p or "failed:" in p], problems


REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"  # Redoc's footer logo: static/js/api-redoc.js serves a local one


def test_redoc_renders_without_csp_violations(page: Page, live_server):  # type: ignore[no-untyped-def]
    problems = watch_console(page)
    page.goto(f"{live_server.url}/api/v1/redoc/")
    # Redoc parses the whole schema in the browser before it renders: allow for a loaded machine.
    expect(page.get_by_role("heading", name="partnercenter API").first).to_be_visible(timeout=60000)
    expect(page.get_by_text("verify_partnercenter_signature").first).to_be_attached()
    unexpected = [p for p in problems if "Content Security Policy" in p or "failed:" in p or REDOCLY_LOGO in p]
    assert not unexpected, problems
    assert page.locator('img[src="/static/img/api-docs-logo.svg"]').count() == 1  # issue 22 item 6: no CDN logo


def test_an_account_admin_creates_a_key_and_copies_it(page: Page, live_server, partner_a):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(partner_a.admin.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("navigation", name="Partner console").get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("PSA sync")
    page.get_by_label("invitations:read").check()
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_label("New API key").input_value()
    assert key.startswith("pck_")
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == key
    expect(page.get_by_role("cell", name="PSA sync", exact=True)).to_be_visible()
    # The key is not a member of the partner: Users and roles does not list its technical user.
    page.get_by_role("navigation", name="Partner console").get_by_role("link", name="Users and roles").click()
    expect(page.get_by_text("api-key-")).to_have_count(0)
