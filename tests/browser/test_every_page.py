"""Issue 22, "Must show": every GET page of the partner console (/p/), the customer admin center (/c/)
and the acceptance page, found from the URL configuration (as tests/test_japanese_pages.py finds them),
visited in Debian chromium as an account admin and as a customer global admin, in English and
Japanese, at 1280 and 390 px. On each page: axe-core (WCAG 2.1 A/AA) finds no serious or critical
violation, and the page does not scroll sideways (a table scrolls inside its own `.table-responsive`
area, which does not widen the page).

One test per (role, language, width), each iterating its pages in one browser context; a page a role
may not open is still visited (it shows the branded 403/404 page, which must pass too). KNOWN lists what
is left, by page name and rule, each with its reason; the test fails on anything else, and on a KNOWN
entry that no longer happens (the list only shrinks).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.urls import resolve
from playwright.sync_api import Browser, Page

from demo.data import build_demo_world
from tests.browser.test_accessibility import AXE
from tests.browser.test_console import sign_in
from tests.test_japanese_pages import PARTNER_ID, console_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {"account_admin": "admin@contoso-cloud.example", "customer_global_admin": "it@northwind.example"}
LANGUAGES = ("en", "ja")
WIDTHS = (1280, 390)
AGREEMENT_PAGE = "/agreement/2026-01/"  # the customer agreement's own page, linked from the acceptance form

AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
PAGE_SCROLL = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.table-responsive'))
  .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))"""

# (url name, rule or "page-scroll", role, language, width) → why it is left; None matches any.
KNOWN: dict[tuple[str, str, str | None, str | None, int | None], str] = {}


@dataclass(frozen=True)
class Finding:
    name: str
    rule: str
    detail: str


def _sweep_paths() -> tuple[list[str], str]:
    """The pages the URL configuration lists that the demo world can fill, and the acceptance link."""
    from customers.models import Customer
    from invitation_batches.services import invitation_batch_upload
    from invitations.create_services import invitation_create
    from invitations.links import invitation_url
    from invitations.models import Invitation
    from partners.models import Partner, PartnerMembership
    from relationships.graph_ids import grant_graph_id
    from relationships.models import DelegatedAdminGrant
    from servicerequests.models import ServiceRequest
    from tests.invitation_batches.conftest import csv_text, good_row

    contoso = Partner.objects.get(partner_id=PARTNER_ID)
    northwind = Customer.objects.get(primary_domain="northwind.example")
    kwargs_for = {"partner_id": PARTNER_ID, "tenant_id": str(northwind.tenant_id)}
    for name, model, scope in (("grant_pk", DelegatedAdminGrant, {"partner": contoso}), ("invitation_pk", Invitation, {"partner": contoso}),
                               ("pk", ServiceRequest, {"partner": contoso, "customer": northwind})):
        first = model.objects.filter(**scope).order_by("pk").first()  # type: ignore[attr-defined]
        if first is not None:
            kwargs_for[name] = str(first.pk)
    admin = PartnerMembership.objects.get(partner=contoso, user__email=ROLES["account_admin"])
    kwargs_for["membership_pk"] = str(PartnerMembership.objects.get(partner=contoso, user__email="sales@contoso-cloud.example").pk)
    rows = [good_row(1, domain="bulk1.example", recipient_email="it@bulk1.example"), good_row(2, country="ZZ"),
            good_row(3, recipient_email="not-an-address")]  # one valid row, two with a reason to show
    kwargs_for["batch_pk"] = str(invitation_batch_upload(membership=admin, stream=io.BytesIO(csv_text(rows).encode()),
                                                         filename="customers.csv").pk)
    kwargs_for["relationship_id"] = grant_graph_id(DelegatedAdminGrant.objects.filter(partner=contoso, customer=northwind).first())
    # Not pinned to anyone: a customer global admin sees its tenants (Northwind refused: already Contoso's),
    # a new tenant preselected, the customer agreement's text and the one Decline; Contoso's admin, the refusal.
    invitation = invitation_create(membership=admin, include_delegated_admin=True)
    link = "/" + invitation_url(invitation).split("://", 1)[1].split("/", 1)[1]
    return console_paths(kwargs_for), link


def _known(name: str, rule: str, role: str, language: str, width: int) -> str | None:
    for (k_name, k_rule, k_role, k_language, k_width), why in KNOWN.items():
        if (k_name, k_rule) == (name, rule) and k_role in (None, role) and k_language in (None, language) and k_width in (None, width):
            return why
    return None


def _check(page: Page, name: str) -> list[Finding]:
    found = [Finding(name, v["id"], f"{v['impact']}: {v['targets']}") for v in page.evaluate(AXE_RUN)]
    if (scroll := page.evaluate(PAGE_SCROLL)) > 0:
        found.append(Finding(name, "page-scroll", f"{scroll} px sideways, widest: {page.evaluate(WIDEST)}"))
    return found


def _sweep(browser: Browser, base: str, role: str, language: str, width: int) -> tuple[int, list[Finding]]:
    paths, link = _sweep_paths()
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})  # bypass_csp: axe is injected
    page = context.new_page()
    sign_in(page, base, ROLES[role])
    page.wait_for_load_state()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])  # sign-in applies the user's own
    findings: list[Finding] = []
    visited = 0
    statuses: dict[int, int] = {}
    for path in [*paths, link, AGREEMENT_PAGE]:
        response = page.goto(base + path)
        status = response.status if response is not None else 0
        statuses[status] = statuses.get(status, 0) + 1
        page.add_script_tag(content=AXE)
        name = "invitation_review" if path == link else (resolve(path).view_name or path)
        assert page.evaluate("document.documentElement.lang") == language, (path, language)
        findings += _check(page, name)
        visited += 1
    context.close()
    print(f"SWEEP {role} {language} {width}px: {visited} pages, by status {dict(sorted(statuses.items()))}, {len(findings)} findings")
    assert statuses.get(200, 0) >= 6, statuses  # signed in: the role's own pages answered (a customer has ~6)
    return visited, findings


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_fits_the_width(browser, live_server, settings, role, language, width):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    build_demo_world()
    visited, findings = _sweep(browser, live_server.url, role, language, width)
    assert visited >= 30  # the sweep reached the console, the admin center and the acceptance page
    unexpected = [f for f in findings if _known(f.name, f.rule, role, language, width) is None]
    seen = {(f.name, f.rule) for f in findings}
    gone = [key for key in KNOWN if (key[0], key[1]) not in seen and key[2] in (None, role)
            and key[3] in (None, language) and key[4] in (None, width)]
    assert not unexpected, "\n".join(f"{f.name}: {f.rule} {f.detail}" for f in unexpected)
    assert not gone, f"fixed, remove from KNOWN: {gone}"
