"""The session store (partnercenter.session_store): Django's database store, read with one SQL statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnercenter.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_the_product_uses_it():
    assert settings.SESSION_ENGINE == "partnercenter.session_store"


def test_reads_what_djangos_store_wrote_and_the_other_way_round():
    theirs = django_db.SessionStore()
    theirs["a"] = 1
    theirs.create()
    theirs["a"] = 1
    theirs.save()
    assert SessionStore(theirs.session_key)["a"] == 1
    ours = SessionStore()
    ours["b"] = 2
    ours.save()
    assert django_db.SessionStore(ours.session_key)["b"] == 2


def test_reads_a_session_with_one_statement():
    store = SessionStore()
    store["a"] = 1
    store.save()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(store.session_key)["a"] == 1
    assert len(queries) == 1


@pytest.mark.parametrize("key", ["", "short", "x" * 32, None])
def test_unknown_or_malformed_keys_are_empty_sessions(key):
    store = SessionStore(key)
    assert dict(store.items()) == {}
    assert store.session_key is None


def test_expired_session_is_not_read():
    store = SessionStore()
    store["a"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    fresh = SessionStore(store.session_key)
    assert fresh.get("a") is None and fresh.session_key is None


def test_signed_in_page_and_sign_out(client, partner_a):
    url = reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})
    client.force_login(partner_a.admin.user)
    assert client.get(url).status_code == 200
    Session.objects.all().delete()  # signed out elsewhere (or cleared): the cookie no longer signs in
    assert client.get(url).status_code == 302
