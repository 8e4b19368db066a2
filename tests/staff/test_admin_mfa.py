"""Staff reach Django admin only through allauth and only with TOTP."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.staff.users import enable_totp, totp_code


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


def test_anonymous_admin_visit_goes_to_allauth_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    login = client.get(response.url)
    assert login.status_code == 302 and reverse("account_login") in login.url


def test_staff_without_mfa_is_sent_to_set_up_totp(client, staff):
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    response = client.get(reverse("admin:index"), follow=True)
    visited = [url for url, _status in response.redirect_chain]
    assert any(url.startswith(reverse("mfa_activate_totp")) for url in visited)
    # allauth asks for the password again before a second factor can be added.
    assert visited[-1].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("admin:index")).status_code == 302


def test_staff_with_totp_enters_admin_only_after_the_second_factor(client, staff):
    secret = enable_totp(staff)
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302  # password alone is not enough
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("admin:index")).status_code == 200
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_session_without_mfa_record_is_asked_to_reauthenticate(client, staff):
    enable_totp(staff)
    client.force_login(staff)  # e.g. a session that skipped the MFA stage
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_reauthenticate"))


def test_non_staff_user_is_refused(client, partner_a):
    client.force_login(partner_a.admin.user)
    assert client.get(reverse("admin:login")).status_code == 403
