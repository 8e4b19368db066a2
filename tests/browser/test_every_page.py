"""Issue 22, "Must show": every GET page of the partner console (/p/), the customer admin center (/c/),
the sign-in page and the acceptance page, found from the URL configuration (as tests/test_japanese_pages.py
finds them), visited in Debian chromium as each of the demo's eight roles (five partner roles, three
customer roles), in English and Japanese. On each page: axe-core (WCAG 2.1 A/AA) finds no serious or
critical violation, the page does not scroll sideways (a table scrolls inside its own `.table-responsive`
area, which does not widen the page), and the W3C Nu HTML checker finds no error in the HTML as served.

Widths: the account admin and the customer global admin (who see the most) at 1280 and 390 px in both
languages; the six other roles at one width per language (English at 1280, Japanese at 390), so every role
is seen at both widths and in both languages. A page is loaded once per (role, language): at two widths it
is checked at the first, then the viewport is narrowed and every check (axe and the width) runs again on
the reflowed page (the pages' layout at a width is CSS only: no script reads the window's size).

Nu HTML checker: the served HTML does not depend on the width, so each page's HTML is checked once per
(role, language): saved to a temporary folder during the visit, then one `java -jar vnu.jar` run for the
whole batch, its JSON output parsed. vnu.jar comes from npm (`vnu-jar`, pinned in tools/vnu/package.json;
`make test` runs `npm ci` there). Without Java or vnu.jar the axe and width checks still run and the test
is then skipped with the reason; under REQUIRE_SERVICES=1 (CI, whose machine has Java and npm) it fails.

One test per (role, language), each iterating its pages in one browser context; a page a role
may not open is still visited (it shows the branded 403/404 page, which must pass too: checked on the first
page of each error status per test, as the rest show the same page). KNOWN lists what
is left, by page name and rule, each with its reason; the test fails on anything else, and on a KNOWN
entry that no longer happens (the list only shrinks).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import resolve
from playwright.sync_api import Browser, Page

from demo.data import build_demo_world
from demo.users import DEMO_PASSWORD
from tests.browser.test_accessibility import AXE
from tests.conftest import REQUIRE_SERVICES
from tests.test_japanese_pages import PARTNER_ID, console_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every role the demo world has a user for (demo/data.py), with the pages the sweep visits as it.
ROLES = {
    "account_admin": "admin@contoso-cloud.example",
    "admin_agent": "agent@contoso-cloud.example",
    "sales_agent": "sales@contoso-cloud.example",
    "helpdesk_agent": "helpdesk@contoso-cloud.example",
    "billing_admin": "billing@contoso-cloud.example",
    "customer_global_admin": "it@northwind.example",
    "customer_billing_admin": "billing@northwind.example",
    "customer_user": "user@northwind.example",
}
# Account admin and customer global admin at both widths in both languages; the six other roles at one
# width per language (en 1280, ja 390), which keeps `make test` within its time. EVERY_PAGE_FULL=1 checks
# every role at both widths (all passing on 2026-12-07).
FULL_MATRIX = set(ROLES) if os.environ.get("EVERY_PAGE_FULL") == "1" else {"account_admin", "customer_global_admin"}
LANGUAGES = ("en", "ja")
WIDTHS = (1280, 390)
ONE_WIDTH = {"en": 1280, "ja": 390}
# The pages each role opens (answer 200), at least: the rest show the branded 403/404 page.
MIN_OPEN = {"customer_billing_admin": 3, "customer_user": 2}
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

NU_JAR = Path(os.environ.get("VNU_JAR") or Path(__file__).resolve().parents[2] / "tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar")

# (url name, rule or "page-scroll" or "nu:<message>", role, language, width) → why it is left; None matches any.
KNOWN: dict[tuple[str, str, str | None, str | None, int | None], str] = {}


@dataclass(frozen=True)
class Finding:
    name: str
    rule: str
    detail: str
    width: int | None = None  # None: any width (the Nu checker's, on the served HTML)


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


def _check(page: Page, name: str, width: int) -> list[Finding]:
    found = [Finding(name, v["id"], f"{width}px {v['impact']}: {v['targets']}", width) for v in page.evaluate(AXE_RUN)]
    if (scroll := page.evaluate(PAGE_SCROLL)) > 0:
        found.append(Finding(name, "page-scroll", f"{width}px: {scroll} px sideways, widest: {page.evaluate(WIDEST)}", width))
    return found


def _nu_unavailable() -> str | None:
    if shutil.which("java") is None:
        return "the W3C Nu HTML checker needs Java (java not on PATH)"
    if not NU_JAR.exists():
        return f"the W3C Nu HTML checker is not installed ({NU_JAR}: `npm ci --prefix tools/vnu`)"
    return None


def nu_errors(folder: Path) -> dict[str, list[str]]:
    """One vnu.jar run over every .html file of the folder: file name → its errors (line: message [extract])."""
    run = subprocess.run(
        ["java", "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(NU_JAR),  # a short run: C1 only, half the CPU
         "--format", "json", "--stdout", "--exit-zero-always", "--errors-only",
         *sorted(str(f) for f in folder.glob("*.html"))],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    errors: dict[str, list[str]] = {}
    for message in json.loads(run.stdout)["messages"]:
        if message.get("type") in ("error", "non-document-error"):
            name = message.get("url", "").rsplit("/", 1)[-1]
            extract = " ".join(message.get("extract", "").split())[:120]
            errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']} [{extract}]")
    return errors


def _sweep(browser: Browser, base: str, role: str, language: str, widths: tuple[int, ...],
           html_folder: Path | None) -> tuple[int, list[Finding]]:
    """Visits every page once and checks it at each width; with html_folder, saves each page's served HTML
    there as <n>-<url name>.html."""
    paths, link = _sweep_paths()
    viewports = [{"width": width, "height": 900} for width in widths]
    context = browser.new_context(bypass_csp=True, viewport=viewports[0])  # bypass_csp: axe is injected
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    findings: list[Finding] = []
    visited = 0
    statuses: dict[int, int] = {}

    def visit(path: str, name: str) -> None:
        nonlocal visited
        if page.viewport_size != viewports[0]:
            page.set_viewport_size(viewports[0])
        response = page.goto(base + path)
        status = response.status if response is not None else 0
        statuses[status] = statuses.get(status, 0) + 1
        visited += 1
        if status >= 400 and statuses[status] > 1:
            return  # the same branded error page as the first one of this status, checked then
        if html_folder is not None and response is not None:
            (html_folder / f"{visited:03d}-{name}.html").write_text(response.text())
        page.add_script_tag(content=AXE)
        assert page.evaluate("document.documentElement.lang") == language, (path, language)
        for n, (width, viewport) in enumerate(zip(widths, viewports, strict=True)):
            if n:
                page.set_viewport_size(viewport)
            findings.extend(_check(page, name, width))

    visit("/accounts/login/", "account_login")
    statuses.clear()
    page.fill("input[name=login]", ROLES[role])  # the sign-in page is in `language`: fields by name, not label
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])  # sign-in applies the user's own
    for path in [*paths, link, AGREEMENT_PAGE]:
        visit(path, "invitation_review" if path == link else (resolve(path).view_name or path))
    context.close()
    print(f"SWEEP {role} {language} {'+'.join(map(str, widths))}px: {visited} pages, by status {dict(sorted(statuses.items()))}, {len(findings)} findings")
    assert statuses.get(200, 0) >= MIN_OPEN.get(role, 6), statuses  # signed in: the role's own pages answered
    return visited, findings


def _matrix() -> list:  # type: ignore[type-arg]
    return [pytest.param(role, language, widths, id=f"{role}-{language}-{'+'.join(map(str, widths))}")
            for role in ROLES for language in LANGUAGES
            for widths in [WIDTHS if role in FULL_MATRIX else (ONE_WIDTH[language],)]]


@pytest.mark.parametrize(("role", "language", "widths"), _matrix())
def test_every_page_passes_axe_and_the_nu_checker_and_fits_the_width(browser, live_server, settings, role, language, widths):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "notifications.mailbox.MailboxEmailBackend"
    started = time.monotonic()
    build_demo_world()
    built = time.monotonic()
    # The HTML is the same at every width: the Nu checker reads it once per (role, language).
    with tempfile.TemporaryDirectory(prefix="nu-") as folder:
        html_folder = Path(folder)
        visited, findings = _sweep(browser, live_server.url, role, language, widths, html_folder)
        assert visited >= 30  # the sweep reached the console, the admin center and the acceptance page
        unavailable = _nu_unavailable()
        swept = time.monotonic()
        if unavailable is None:
            for file_name, errors in nu_errors(html_folder).items():
                name = file_name.removesuffix(".html").split("-", 1)[-1]
                findings.extend(Finding(name, "nu", error) for error in errors)
    at = [(f, f.width or widths[0]) for f in findings]  # the served HTML (Nu) was read at the first width
    unexpected = [f for f, width in at if _known(f.name, f.rule, role, language, width) is None]
    gone = [key for key in KNOWN if key[2] in (None, role) and key[3] in (None, language) and key[4] in (None, *widths)
            and not any((f.name, f.rule) == (key[0], key[1]) and key[4] in (None, width) for f, width in at)]
    nu_count = sum(f.rule == "nu" for f in findings)
    print(f"NU {role} {language}: " + (f"{nu_count} errors" if unavailable is None else "not run")
          + f"; seconds: demo {built - started:.1f}, pages {swept - built:.1f}, nu {time.monotonic() - swept:.1f}")
    assert not unexpected, f"{len(unexpected)} findings:\n" + "\n".join(f"{f.name}: {f.rule} {f.detail}" for f in unexpected)
    assert not gone, f"fixed, remove from KNOWN: {gone}"
    if unavailable is not None:
        if REQUIRE_SERVICES:
            pytest.fail(f"required tool missing: {unavailable}")
        pytest.skip(f"axe and page widths passed; {unavailable}")
