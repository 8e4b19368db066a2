"""Which second factors users can set up (issue 18, item 11): TOTP apps, recovery codes, and security
keys / passkeys (WebAuthn), which the installed django-allauth offers with fido2."""

from __future__ import annotations

from allauth.mfa import app_settings as mfa_settings
from django.urls import reverse

from tests.factories import PASSWORD


def test_totp_recovery_codes_and_webauthn_are_offered(settings):
    assert set(mfa_settings.SUPPORTED_TYPES) == {"totp", "recovery_codes", "webauthn"}
    assert mfa_settings.PASSKEY_LOGIN_ENABLED is False  # passwordless sign-in stays off unless configured


def test_a_user_can_open_the_security_key_page_with_its_scripts_allowed_by_the_policy(client, partner_a):
    client.post(reverse("account_login"), {"login": "sales@contoso.example", "password": PASSWORD})
    url = reverse("mfa_add_webauthn")
    response = client.get(url)
    if response.status_code == 302:  # allauth confirms the password before adding an authenticator
        assert response.url.startswith(reverse("account_reauthenticate"))
        client.post(response.url, {"password": PASSWORD})
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "mfa/js/webauthn.js" in body
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy or "default-src 'self'" in policy
