"""The embedded default runs on SQLite: the demo world builds and the partner's daily bulk work runs there.

`make run` is SQLite; the rest of the suite is PostgreSQL. A lookup SQLite lacks (JSON `__contains`)
once broke `make run` while every PostgreSQL test passed. These tests build the demo world in a real
SQLite file in a separate process, as `make run` does, and run the bulk jobs and the pages on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.xdist_group("embedded-sqlite")

SCRIPT = r"""
import json
from django.test import Client
from django.urls import reverse
from customers.models import Customer
from invitation_batches.gdap_services import delegated_admin_batch_create, delegated_admin_batch_process
from invitation_batches.models import DelegatedAdminBatchRow
from partners.models import PartnerMembership
from partners.saved_view_services import saved_view_save
from partnercenter.directory_roles import BUNDLES

admin = PartnerMembership.objects.select_related("partner", "user").get(user__email__startswith="admin@contoso")
customers = list(Customer.objects.filter(relationships__partner=admin.partner).distinct().order_by("pk"))
identifiers = [str(c.tenant_id) for c in customers] + ["unknown.example"]
batch = delegated_admin_batch_create(membership=admin, identifiers=identifiers, roles=list(BUNDLES["helpdesk"][1]),
                                     duration_days=180)
delegated_admin_batch_process(batch_id=batch.pk)
statuses = sorted(DelegatedAdminBatchRow.objects.filter(batch=batch).values_list("status", flat=True))
for name in ["Zeta", "Alpha"]:  # the list pages read saved views in the memberships query (JSONBAgg on PostgreSQL)
    saved_view_save(membership=admin, list_name="customers", name=name, query_string="q=north")
client = Client()
client.force_login(admin.user)
pid = {"partner_id": admin.partner.partner_id}
paths = [reverse(name, kwargs=pid) for name in
         ["relationships:customers", "relationships:grants", "invitations:list", "search:search"]]
pages = {path: client.get(path, {"q": "north"} if "search" in path else {}).status_code for path in paths}
customers_page = client.get(paths[0]).content.decode()
views_in_order = customers_page.find("Alpha") < customers_page.find("Zeta") and customers_page.find("Alpha") > 0
print("RESULT " + json.dumps({"customers": len(customers), "statuses": statuses, "pages": pages,
                              "views_in_order": views_in_order}))
"""


def _manage(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder: Path = tmp_path_factory.mktemp("embedded")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnercenter.settings.local",
           "PARTNERCENTER_VAR_DIR": str(folder / "var"), "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
           "CELERY_BROKER_URL": "memory://",
           "SITE_BASE_URL": "http://127.0.0.1:7950", "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1"}
    env.pop("REDIS_URL", None)
    _manage(["migrate", "--noinput"], env)
    _manage(["demo_data"], env)
    return env


def test_the_demo_world_builds_on_sqlite_and_a_second_run_changes_nothing(sqlite_env: dict[str, str]) -> None:
    again = _manage(["demo_data"], sqlite_env)
    assert "Traceback" not in again


def test_bulk_delegated_admin_and_the_console_pages_work_on_sqlite(sqlite_env: dict[str, str]) -> None:
    out = _manage(["shell", "-c", SCRIPT], sqlite_env)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    assert result["customers"] >= 1
    assert len(result["statuses"]) == result["customers"] + 1
    assert "not_allowed" in result["statuses"]  # the unknown domain is explained, not dropped
    assert set(result["statuses"]) <= {"created", "covered", "not_allowed"}
    assert result["pages"] == {path: 200 for path in result["pages"]}
    assert result["views_in_order"]  # saved views listed by name on SQLite too


EVERY_PAGE = r"""
import json
from django.test import Client
from customers.models import Customer
from invitations.models import Invitation
from partners.models import Partner, PartnerMembership
from relationships.models import DelegatedAdminGrant
from servicerequests.models import ServiceRequest
from tests.test_japanese_pages import PARTNER_ID, console_paths

contoso = Partner.objects.get(partner_id=PARTNER_ID)
northwind = Customer.objects.get(primary_domain="northwind.example")
kwargs_for = {"partner_id": PARTNER_ID, "tenant_id": str(northwind.tenant_id)}
for name, model, scope in (("grant_pk", DelegatedAdminGrant, {"partner": contoso}),
                           ("invitation_pk", Invitation, {"partner": contoso}),
                           ("pk", ServiceRequest, {"partner": contoso, "customer": northwind})):
    first = model.objects.filter(**scope).order_by("pk").first()
    if first is not None:
        kwargs_for[name] = str(first.pk)
kwargs_for["membership_pk"] = str(PartnerMembership.objects.get(partner=contoso, user__email__startswith="sales@").pk)
clients = {}
for prefix, email in (("/p/", "admin@contoso-cloud.example"), ("/c/", "it@northwind.example")):
    client = Client(raise_request_exception=False)
    client.force_login(__import__("accounts.models", fromlist=["User"]).User.objects.get(email=email))
    clients[prefix] = client
answers = {}
for path in console_paths(kwargs_for):
    try:
        answers[path] = clients[path[:3]].get(path).status_code
    except Exception as error:  # noqa: BLE001 — reported, not hidden
        answers[path] = repr(error)[:200]
print("RESULT " + json.dumps(answers))
"""


def test_every_console_and_admin_center_page_answers_on_sqlite(sqlite_env: dict[str, str]) -> None:
    out = _manage(["shell", "-c", EVERY_PAGE], sqlite_env)
    answers = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    assert len(answers) > 30
    broken = {path: status for path, status in answers.items() if not isinstance(status, int) or status >= 500}
    assert broken == {}
    # The account admin opens nearly every console page; the others are role-bound (403) or POST-only (405).
    assert {status for status in answers.values()} <= {200, 302, 403, 405}
    assert sum(status == 200 for status in answers.values()) >= 35


ACCEPTANCE = r"""
import json
from django.test import Client
from accounts.models import User
from customers.models import CustomerMembership
from invitations.create_services import invitation_create
from invitations.links import invitation_url
from invitations.models import Invitation
from partners.models import PartnerMembership

admin = PartnerMembership.objects.select_related("partner").get(user__email__startswith="admin@contoso")
invitation = invitation_create(membership=admin, include_delegated_admin=True)
member = CustomerMembership.objects.select_related("customer").filter(user__email="it@northwind.example").first()
client = Client(raise_request_exception=False)
client.force_login(User.objects.get(email="it@northwind.example"))
opened = client.get("/" + invitation_url(invitation).split("://", 1)[1].split("/", 1)[1])
page = client.get(opened.url)
accepted = client.post(opened.url, {"action": "accept", "tenant": str(member.customer.tenant_id),
                                    "signer_name": "Ida", "agreement_accepted": "on"})
invitation.refresh_from_db()
print("RESULT " + json.dumps({"opened": opened.status_code, "page": page.status_code,
                              "company": admin.partner.name in page.content.decode(),
                              "accepted": accepted.status_code, "status": invitation.status}))
"""


def test_a_customer_opens_and_accepts_an_invitation_on_sqlite(sqlite_env: dict[str, str]) -> None:
    # The offer lookups are compiled statements on PostgreSQL (partnercenter/compiled_queries.py); SQLite
    # adapts datetimes and UUIDs to text, so there the ORM runs them: the acceptance flow must work on both.
    out = _manage(["shell", "-c", ACCEPTANCE], sqlite_env)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    assert result == {"opened": 302, "page": 200, "company": True, "accepted": 200, "status": "accepted"}
