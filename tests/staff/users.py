"""Staff users for the Django admin tests: groups from accounts.staff_groups, sign-in with password + TOTP."""

from __future__ import annotations

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.staff_groups import AUDITOR, OPERATOR, staff_groups_sync
from tests.factories import PASSWORD, UserFactory


def staff_user(*, group: str | None = None, superuser: bool = False, email: str | None = None) -> User:
    """A staff user in `group` ("auditor" / "operator"), or a superuser."""
    kwargs = {"email": email} if email else {}
    user = UserFactory(is_staff=True, is_superuser=superuser, **kwargs)
    if group is not None:
        staff_groups_sync()  # idempotent; the groups also exist after a flush (transactional tests)
        user.groups.add(Group.objects.get(name=group))
    return user


def totp_code(secret: str) -> str:
    """The code of the current 30-second step. (allauth's own counters start `tolerance` steps back:
    a code for that step, computed just before a boundary, is out of tolerance just after it.)"""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def enable_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in_to_admin(client: Client, user: User) -> None:
    """Sign in as a person does: password, then the TOTP code (the admin requires the second factor)."""
    secret = enable_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("admin:index")).status_code == 200


__all__ = ["AUDITOR", "OPERATOR", "enable_totp", "sign_in_to_admin", "staff_user", "totp_code"]
