"""No working link, token or secret at rest, in admin or in a cacheable response (issue 18, items 3 and 10).

After the whole secret flow (tests/secret_flow.py: API and console creates with Idempotency-Key,
links opened, accepted, joined, a password reset), every text column of every table (every model
of apps.get_models, auto-created ones included; sessions decoded) is searched for every secret the
flow created; every admin changelist and change page is fetched as a superuser and as an auditor
and searched too; and every response of the flow that holds a secret says `no-store`.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.staff_groups import AUDITOR
from partnercenter.sealing import unseal
from partners.models import ApiIdempotencyKey
from tests.notifications.webhook_receiver import webhook_receiver
from tests.secret_flow import SecretFlow, run_secret_flow
from tests.staff.users import sign_in_to_admin, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(partner_a, agreement, settings, django_capture_on_commit_callbacks) -> SecretFlow:
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    with webhook_receiver() as receiver:
        return run_secret_flow(partner=partner_a, capture=django_capture_on_commit_callbacks, webhook_url=receiver.url)


def every_stored_text() -> list[tuple[str, str]]:
    """(where, text) for every non-relational column of every row of every model, sessions decoded."""
    found: list[tuple[str, str]] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [f.attname for f in model._meta.concrete_fields if not isinstance(f, models.ForeignKey)]
        for row in model._default_manager.values_list("pk", *columns):
            for column, value in zip(["pk", *columns], row, strict=True):
                if value is not None:
                    text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
                    found.append((f"{model._meta.label}.{column}", text))
    for session in Session.objects.all():
        found.append((f"session {session.pk} (decoded)", json.dumps(session.get_decoded())))
    return found


def test_no_table_holds_a_working_link_token_key_or_secret_after_every_kind_of_create(flow):
    stored = every_stored_text()
    assert len(stored) > 500  # the flow wrote rows everywhere
    leaks = {where: flow.found_in(text) for where, text in stored if flow.found_in(text)}
    assert leaks == {}


def test_idempotency_replays_keep_the_first_response_sealed_and_return_it_whole(flow):
    records = list(ApiIdempotencyKey.objects.all())
    assert {r.path for r in records} == {"/api/v1/invitations", "/api/v1/webhooks/subscriptions", "/api/v1/customers"}
    invitation = next(r for r in records if r.path == "/api/v1/invitations")
    assert "/r/" in unseal(invitation.response_sealed)["body"]["link"]  # with the server's key, not the database's
    webhook = next(r for r in records if r.path == "/api/v1/webhooks/subscriptions")
    assert unseal(webhook.response_sealed)["body"]["secret"] == flow.secrets["webhook secret (API)"]


@pytest.mark.parametrize("who", ["superuser", AUDITOR])
def test_no_admin_page_shows_a_working_link_token_key_or_secret(flow, who):
    staff = Client()
    sign_in_to_admin(staff, staff_user(superuser=True) if who == "superuser" else staff_user(group=AUDITOR))
    pages = 0
    leaks: dict[str, list[str]] = {}
    for model in admin.site._registry:
        opts = model._meta
        urls = [reverse(admin_urlname(opts, "changelist"))]
        urls += [reverse(admin_urlname(opts, "change"), args=[pk]) for pk in model._default_manager.values_list("pk", flat=True)[:50]]
        for url in urls:
            response = staff.get(url)
            assert response.status_code == 200, url
            pages += 1
            if found := flow.found_in(response.content.decode()):
                leaks[url] = found
    assert pages > 60
    assert leaks == {}


def test_every_response_holding_a_link_or_secret_is_never_stored_by_a_cache(flow):
    carrying = []
    for recorded in flow.responses:
        response = recorded.response
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        if flow.found_in(body.decode(errors="replace") + headers):
            carrying.append(recorded)
            assert "no-store" in response.get("Cache-Control", ""), (recorded.method, recorded.path)
    # The draft page, the reusable link page, the API invitation, webhook and key responses, the
    # graph-compatible link and the redirects out of token URLs at least.
    assert len(carrying) >= 8, [(r.method, r.path) for r in carrying]
