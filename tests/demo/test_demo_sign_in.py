"""The demo still signs in (issue 18, item 11): its partners do not require a second factor, even
where new partners do by default (production settings), and each sign-in lands in the sign-in log."""

from __future__ import annotations

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import SignInEvent
from demo.users import DEMO_PASSWORD
from partners.models import Partner


@override_settings(PARTNER_MFA_REQUIRED_DEFAULT=True)
def test_demo_users_sign_in_with_the_printed_password_and_reach_their_console(client, db):
    call_command("demo_data")
    assert not Partner.objects.filter(mfa_required=True).exists()
    contoso = Partner.objects.get(name__startswith="Contoso")
    response = client.post(reverse("account_login"), {"login": "admin@contoso-cloud.example", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("partners:overview", kwargs={"partner_id": contoso.partner_id})).status_code == 200
    assert client.get(reverse("partners:sign_in_log", kwargs={"partner_id": contoso.partner_id})).status_code == 200
    assert SignInEvent.objects.filter(user__email="admin@contoso-cloud.example", succeeded=True).exists()
