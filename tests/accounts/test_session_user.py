"""accounts.middleware.session_user: the user Django's `auth.get_user` gives, its row read by a compiled statement.

Every case is compared with `django.contrib.auth.get_user` on a twin request carrying the same session
(what it returns, and what it does to the session): signed in, no session, inactive, deleted, password
changed elsewhere, no hash, a hash under a fallback secret, an unknown backend, allauth's backend.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import AuthenticationMiddleware, session_user
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _session_for(user: User, *, backend: str = MODEL_BACKEND, hash_value: str | None = None) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    if hash_value is None:
        hash_value = user.get_session_auth_hash()
    if hash_value:
        session[HASH_SESSION_KEY] = hash_value
    session.create()
    return str(session.session_key)


def _request(session_key: str | None) -> Any:
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    return request


def _compare(make_session: Any) -> tuple[Any, Any]:
    """Ours and Django's on two sessions made alike (one each: either may flush or cycle its own);
    the users and what became of each session must match."""
    mine_request = _request(make_session())
    theirs_request = _request(make_session())
    mine, theirs = session_user(mine_request), auth.get_user(theirs_request)
    assert type(mine) is type(theirs)
    assert mine.pk == theirs.pk
    if isinstance(mine, User):
        assert {f.attname: getattr(mine, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(theirs, f.attname) for f in User._meta.concrete_fields}
        assert mine._state.db == theirs._state.db and not mine._state.adding
    # Same effect on the session: flushed (empty, no key), cycled (new key, data kept) or untouched.
    assert (mine_request.session.session_key is None) == (theirs_request.session.session_key is None)
    assert dict(mine_request.session.items()).keys() == dict(theirs_request.session.items()).keys()
    return mine, mine_request


def test_a_signed_in_session_gives_the_same_user_in_the_same_two_statements(db) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(full_name="Ada Lovelace", preferred_language="ja")
    mine, _request_used = _compare(lambda: _session_for(user))
    assert mine == user and mine.full_name == "Ada Lovelace" and mine.preferred_language == "ja"
    key = _session_for(user)
    session_user(_request(key))  # compiled already; now count
    with CaptureQueriesContext(connection) as queries:
        assert session_user(_request(key)) == user
    assert len(queries) == 2  # the session, the user (as Django's)
    assert "accounts_user" in queries[1]["sql"] and "ORDER BY" not in queries[1]["sql"]


def test_allauths_backend_is_read_the_same_way(db) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    mine, _request_used = _compare(lambda: _session_for(user, backend=ALLAUTH_BACKEND))
    assert mine == user


@pytest.mark.parametrize("case", ["no_session", "inactive", "deleted", "password_changed", "no_hash", "unknown_backend"])
def test_every_other_case_is_djangos(db, case: str) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    if case == "no_session":
        make = lambda: None  # noqa: E731
    elif case == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
        make = lambda: _session_for(user)  # noqa: E731
    elif case == "deleted":
        make = lambda: _session_for(user)  # noqa: E731
        keys = [make(), make()]
        User.objects.filter(pk=user.pk).delete()
        make = iter(keys).__next__
    elif case == "password_changed":
        make = lambda: _session_for(user)  # noqa: E731
        keys = [make(), make()]
        user.set_password("another-long-passphrase")
        user.save()
        make = iter(keys).__next__
    elif case == "no_hash":
        make = lambda: _session_for(user, hash_value="")  # noqa: E731
    else:
        make = lambda: _session_for(user, backend="accounts.nowhere.Backend")  # noqa: E731
    mine, request = _compare(make)
    assert isinstance(mine, AnonymousUser)
    if case in ("password_changed", "no_hash"):
        assert request.session.session_key is None  # flushed, as Django does


def test_a_hash_under_a_fallback_secret_is_accepted_and_the_session_cycled_as_django_does(db) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    old_hash = user.get_session_auth_hash()
    keys = [_session_for(user, hash_value=old_hash) for _ in range(2)]
    with override_settings(SECRET_KEY="a-new-secret-key-" + "x" * 40, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        mine_request, theirs_request = _request(keys[0]), _request(keys[1])
        mine, theirs = session_user(mine_request), auth.get_user(theirs_request)
        assert mine == theirs == user
        assert mine_request.session.session_key != keys[0] and theirs_request.session.session_key != keys[1]
        assert mine_request.session[HASH_SESSION_KEY] == theirs_request.session[HASH_SESSION_KEY] == user.get_session_auth_hash()


def test_the_middleware_is_djangos_with_this_user(client, db) -> None:  # type: ignore[no-untyped-def]
    assert "accounts.middleware.AuthenticationMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" not in settings.MIDDLEWARE
    user = UserFactory(email="signed.in@example.com")
    response = client.post(reverse("account_login"), {"login": "signed.in@example.com", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("home"))
    assert response.wsgi_request.user == user
    # request.auser (async views) is still Django's.
    request = _request(client.session.session_key)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    assert request.user == user and callable(request.auser)
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous
