"""Shared fixtures: two tenants of each kind, service gates, and the browser setup.

Service rule: tests marked `postgres` or `redis` run when the service is there and are skipped
otherwise; with REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails them instead.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import translation

from partners.choices import Cloud, PartnerRole
from tests.factories import (
    CustomerFactory,
    CustomerMembershipFactory,
    PartnerFactory,
    PartnerMembershipFactory,
    UserFactory,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's sync API

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_SERVICES and not settings.POSTGRES_AVAILABLE:
        pytest.exit("REQUIRE_SERVICES=1 but PostgreSQL is not reachable (DATABASE_URL / 127.0.0.1:5432)", returncode=3)


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not settings.POSTGRES_AVAILABLE:
        _missing("PostgreSQL is not reachable")
    if item.get_closest_marker("redis") and (not settings.REDIS_AVAILABLE or shutil.which("redis-server") is None):
        _missing("Redis (service and redis-server binary) is not available")
    if item.get_closest_marker("browser") and shutil.which("chromium") is None:
        _missing("Debian chromium is not installed")


# The longest tests (from half a minute to two minutes each on a quiet 2-core machine), started first, longest
# first: under `-n 2 --dist loadgroup` xdist hands out ungrouped tests in collection order, and one of these left
# for the end runs alone while the other worker is idle. Only the order changes.
LONGEST_FIRST = (
    "tests/browser/test_every_page.py::",
    "tests/malformed/test_malformed_input.py::",
    "tests/test_secrets_at_rest.py::test_no_admin_page_shows",
)


def _longest_first(item: pytest.Item) -> int:
    return next((n for n, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_longest_first)  # stable: the rest keep their order


@dataclass
class Tenant:
    partner: object
    admin: object  # account_admin membership
    sales: object  # sales_agent membership


@pytest.fixture(autouse=True)
def _language_does_not_leak():  # type: ignore[no-untyped-def]
    """A request in Japanese leaves Japanese active in the thread; the next test starts from the default
    (otherwise, e.g., test_webhook_ssrf after test_japanese_pages reads its error messages in Japanese)."""
    yield
    translation.deactivate()


@pytest.fixture
def partner_a(db) -> Tenant:  # type: ignore[no-untyped-def]
    partner = PartnerFactory(name="Contoso Cloud", country="JP", cloud=Cloud.PUBLIC)
    return Tenant(
        partner=partner,
        admin=PartnerMembershipFactory(partner=partner, user=UserFactory(email="admin@contoso.example"),
                                       roles=[PartnerRole.ACCOUNT_ADMIN]),
        sales=PartnerMembershipFactory(partner=partner, user=UserFactory(email="sales@contoso.example"),
                                       roles=[PartnerRole.SALES_AGENT]),
    )


@pytest.fixture
def partner_b(db) -> Tenant:  # type: ignore[no-untyped-def]
    partner = PartnerFactory(name="Fabrikam Federal", country="US", cloud=Cloud.US_GOV)
    return Tenant(
        partner=partner,
        admin=PartnerMembershipFactory(partner=partner, user=UserFactory(email="admin@fabrikam.example"),
                                       roles=[PartnerRole.ACCOUNT_ADMIN]),
        sales=PartnerMembershipFactory(partner=partner, user=UserFactory(email="sales@fabrikam.example"),
                                       roles=[PartnerRole.SALES_AGENT]),
    )


@pytest.fixture
def customer_a(db):  # type: ignore[no-untyped-def]
    membership = CustomerMembershipFactory(
        customer=CustomerFactory(company_name="Northwind", primary_domain="northwind.example", country="JP"),
        user=UserFactory(email="it@northwind.example"),
    )
    return membership


@pytest.fixture
def customer_b(db):  # type: ignore[no-untyped-def]
    membership = CustomerMembershipFactory(
        customer=CustomerFactory(company_name="Tailspin", primary_domain="tailspin.example", country="US"),
        user=UserFactory(email="it@tailspin.example"),
    )
    return membership


@pytest.fixture
def agreement(db):  # type: ignore[no-untyped-def]
    """The current customer agreement, in English and Japanese."""
    from customers.models import AgreementVersion

    AgreementVersion.objects.create(version="2026-01", language="ja", title="カスタマー契約", text="契約本文")
    return AgreementVersion.objects.create(version="2026-01", language="en", title="Customer Agreement", text="Terms.")


# --- Browser (Playwright + Debian chromium) ---------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


# Playwright waits 5 s for an expectation and 30 s for an action by default: a loaded 2-core machine
# (live server, chromium and the tests sharing it) can need more. These are ceilings on waiting for
# real processes, not speed requirements: an expectation passes as soon as it holds.
BROWSER_EXPECT_TIMEOUT_MS = 30_000
BROWSER_ACTION_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def browser(browser):  # type: ignore[no-untyped-def]
    """Every context gets the generous timeouts, whether made by pytest-playwright or by a test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=BROWSER_EXPECT_TIMEOUT_MS)
    make_context = browser.new_context

    def new_context(*args, **kwargs):  # type: ignore[no-untyped-def]
        context = make_context(*args, **kwargs)
        context.set_default_timeout(BROWSER_ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_ACTION_TIMEOUT_MS)
        return context

    browser.new_context = new_context
    return browser
