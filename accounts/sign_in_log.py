"""The sign-in log: one SignInEvent per sign-in attempt, written from allauth's and Django's signals.

- success: allauth's `user_logged_in` (sent once the whole login, second factor included, is done);
  whether a second factor was used comes from allauth's authentication records of this session.
- wrong email or password: Django's `user_login_failed` (allauth authenticates through
  `django.contrib.auth.authenticate`, which sends it with the password masked);
- wrong second-factor code: allauth.mfa's `authentication_failed`.

Receivers only record: no business rule depends on these rows. They are connected in
AccountsConfig.ready(). The client address comes from partnercenter.middleware.client_ip.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from allauth.account.authentication import get_authentication_records
from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authentication_failed
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone

from accounts.models import SignInEvent, SignInFailure, User
from partnercenter.middleware import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

USER_AGENT_MAX = 300
EMAIL_MAX = 254


def _clean(text: str, limit: int) -> str:
    """Client-supplied text as PostgreSQL stores it: no NUL characters (they would fail the insert, and
    with it the sign-in), at most `limit` characters."""
    return text.replace("\x00", "")[:limit]


def _ip(request: HttpRequest) -> str | None:
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _request_meta(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    return {"ip_address": _ip(request), "user_agent": _clean(str(request.META.get("HTTP_USER_AGENT", "")), USER_AGENT_MAX)}


def second_factor_of_this_sign_in(records: list[dict[str, Any]]) -> str:
    """The type of second factor ("totp", "webauthn", "recovery_codes") used by the latest sign-in
    among allauth's authentication records of the session, or "" when none was.

    Records accumulate over a session (reauthentications append to them): the latest sign-in is the
    tail after the last first-factor record (password, email code, ...). A passwordless passkey
    sign-in is a single "mfa" record.
    """
    second_factor = ""
    for record in reversed(records):
        if record.get("method") != "mfa":
            break
        second_factor = second_factor or str(record.get("type") or "mfa")
    return second_factor


def sign_in_succeeded(*, request: HttpRequest | None, user: User) -> SignInEvent:
    """Record a completed sign-in of `user` (the second factor, if any, read from the session)."""
    records = get_authentication_records(request, user) if request is not None else []
    second_factor = second_factor_of_this_sign_in(records)
    return SignInEvent.objects.create(
        user=user, email=user.email[:EMAIL_MAX], at=timezone.now(), succeeded=True,
        mfa_used=bool(second_factor), mfa_type=second_factor[:32], **_request_meta(request),
    )


def sign_in_failed(*, request: HttpRequest | None, email: str, user: User | None = None,
                   failure: SignInFailure, mfa_type: str = "") -> SignInEvent:
    """Record a failed attempt. `user` is looked up by the address tried when not given (None when
    no account has it: such rows appear in no tenant's log)."""
    email = _clean((email or "").strip().lower(), EMAIL_MAX)
    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    return SignInEvent.objects.create(
        user=user, email=email or (user.email if user else ""), at=timezone.now(), succeeded=False,
        failure=failure, mfa_used=failure == SignInFailure.MFA, mfa_type=mfa_type[:32], **_request_meta(request),
    )


# --- Signal receivers ---------------------------------------------------------------------------


def on_user_logged_in(sender: Any, request: HttpRequest | None = None, user: User | None = None, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        sign_in_succeeded(request=request, user=user)


def on_user_login_failed(sender: Any, credentials: dict[str, Any] | None = None,
                         request: HttpRequest | None = None, **kwargs: Any) -> None:
    credentials = credentials or {}
    email = str(credentials.get("email") or credentials.get("username") or "")
    sign_in_failed(request=request, email=email, failure=SignInFailure.PASSWORD)


def on_mfa_authentication_failed(sender: Any, request: HttpRequest | None = None, user: User | None = None,
                                 authenticator: Any = None, **kwargs: Any) -> None:
    if user is None or user.pk is None:
        return
    mfa_type = str(getattr(authenticator, "type", "") or "")
    sign_in_failed(request=request, email=user.email, user=user, failure=SignInFailure.MFA, mfa_type=mfa_type)


def connect() -> None:
    """Connect the receivers (AccountsConfig.ready); dispatch_uid keeps it idempotent."""
    user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.sign_in_log.logged_in")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="accounts.sign_in_log.login_failed")
    authentication_failed.connect(on_mfa_authentication_failed, dispatch_uid="accounts.sign_in_log.mfa_failed")
