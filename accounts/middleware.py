"""Activate a signed-in user's preferred language when the browser has not chosen one; the signed-in
user of a request read with a statement compiled once (`AuthenticationMiddleware`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from partnercenter.compiled_queries import CompiledQuery


def preferred_language_for(request: HttpRequest) -> str | None:
    """The signed-in user's language when it should replace the active one (the browser chose none)."""
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        and user.preferred_language != translation.get_language()
    ):
        return str(user.preferred_language)
    return None


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language_for(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


# --- The signed-in user of a request (issue 25) ----------------------------------------------
# Every signed-in request reads its user: Django's `auth.get_user` asks the session's backend, whose
# `get_user` builds and compiles `User._default_manager.get(pk=…)` each time (a queryset, a WHERE
# tree, its SQL: more CPU than the one-row read itself). `session_user` reads the same row with that
# query compiled once per process (partnercenter.compiled_queries), for the common case only: a
# session with a user id, a hash and one of our backends whose `get_user` is ModelBackend's; the user
# found, allowed to sign in (active) and the session's hash matching. Anything else (no user in the
# session, an unknown or custom backend, a missing user, an inactive one, a password changed since:
# the hash differs, or one hashed under a fallback secret) goes to `auth.get_user` itself, which
# decides as always (anonymous, flush, key cycling), reading the row again.

_USER_BY_PK: dict[str, CompiledQuery[Any]] = {}  # one compiled query per user model
_DIRECT_BACKENDS: dict[tuple[str, ...], dict[str, ModelBackend]] = {}  # per AUTHENTICATION_BACKENDS


def _direct_backends() -> dict[str, ModelBackend]:
    """The configured backends whose `get_user` is ModelBackend's: the default manager's row by pk."""
    paths = tuple(settings.AUTHENTICATION_BACKENDS)
    backends = _DIRECT_BACKENDS.get(paths)
    if backends is None:
        backends = {}
        for path in paths:
            backend = load_backend(path)
            if isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user:
                backends[path] = backend
        _DIRECT_BACKENDS[paths] = backends
    return backends


def _user_by_pk(user_model: type[Any], pk: int) -> Any | None:
    """`user_model._default_manager.get(pk=pk)` (None when there is no such row), compiled once."""
    compiled = _USER_BY_PK.get(user_model._meta.label)
    if compiled is None:
        # `get` drops the model's default ordering; so does this query (one row by its primary key).
        compiled = _USER_BY_PK[user_model._meta.label] = CompiledQuery(
            lambda pks: user_model._default_manager.filter(pk=pks[0]).order_by())
    rows = compiled.fetch((pk,))
    return rows[0] if rows else None


def session_user(request: HttpRequest) -> Any:
    """What `django.contrib.auth.get_user(request)` returns, with the common case's user row read by a
    statement compiled once (see above); every other case is `auth.get_user`'s own."""
    session = request.session
    raw_pk = session.get(SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    backend = _direct_backends().get(session.get(BACKEND_SESSION_KEY, ""))
    user_model = get_user_model()
    pk_field = user_model._meta.pk
    if raw_pk is None or not session_hash or backend is None or pk_field is None or pk_field.get_internal_type() not in _INTEGER_KEYS:
        return auth.get_user(request)
    try:
        pk = pk_field.to_python(raw_pk)
    except ValidationError:
        return auth.get_user(request)  # raises as Django does
    user = _user_by_pk(user_model, pk)
    if (
        user is None
        or not backend.user_can_authenticate(user)
        or not constant_time_compare(session_hash, user.get_session_auth_hash())
    ):
        return auth.get_user(request)
    return user


_INTEGER_KEYS = frozenset({"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"})


def _request_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with `request.user` from `session_user` (the same user, its row read by a compiled
    statement). `request.auser` (async views) is Django's unchanged."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)  # checks the session middleware is installed; sets request.auser
        request.user = SimpleLazyObject(lambda: _request_user(request))  # type: ignore[assignment]
