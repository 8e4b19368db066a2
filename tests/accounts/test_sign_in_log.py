"""The sign-in log (issue 18, item 11): every attempt recorded from allauth's and Django's signals,
with IP, user agent, result and second factor; shown to account admins and customer global admins
for their own users only; kept SIGN_IN_EVENT_RETENTION_DAYS days."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInEvent, SignInFailure
from accounts.sign_in_services import sign_in_events_purge
from customers.choices import CustomerRole
from partners.choices import PartnerRole
from tests.factories import PASSWORD, CustomerMembershipFactory, PartnerMembershipFactory
from tests.staff.users import enable_totp, totp_code

BROWSER = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"}


def _login(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_login"), {"login": email, "password": password}, **BROWSER)


# --- Recording ----------------------------------------------------------------------------------


def test_a_password_sign_in_is_recorded_with_ip_user_agent_and_no_second_factor(client, partner_a):
    _login(client, "sales@contoso.example")
    event = SignInEvent.objects.get()
    assert event.user == partner_a.sales.user
    assert event.succeeded is True and event.failure == ""
    assert event.ip_address == "203.0.113.7"
    assert event.user_agent == BROWSER["HTTP_USER_AGENT"]
    assert event.mfa_used is False


def test_a_wrong_password_is_recorded_as_a_failure_of_that_user(client, partner_a):
    response = _login(client, "sales@contoso.example", "wrong-password")
    assert response.status_code == 200
    event = SignInEvent.objects.get()
    assert event.user == partner_a.sales.user
    assert event.succeeded is False and event.failure == SignInFailure.PASSWORD
    assert event.ip_address == "203.0.113.7"
    assert "wrong-password" not in str(event.__dict__)


def test_an_unknown_address_is_recorded_without_a_user(client, db):
    _login(client, "nobody@nowhere.example", "whatever-password")
    event = SignInEvent.objects.get()
    assert event.user is None and event.email == "nobody@nowhere.example" and event.succeeded is False


def test_a_sign_in_with_totp_records_the_second_factor(client, partner_a):
    secret = enable_totp(partner_a.sales.user)
    _login(client, "sales@contoso.example")
    assert not SignInEvent.objects.exists()  # the password alone did not sign in
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, **BROWSER)
    event = SignInEvent.objects.get()
    assert event.succeeded is True and event.mfa_used is True and event.mfa_type == "totp"
    assert event.ip_address == "203.0.113.7"


def test_a_wrong_totp_code_is_recorded_as_a_second_factor_failure(client, partner_a):
    enable_totp(partner_a.sales.user)
    _login(client, "sales@contoso.example")
    client.post(reverse("mfa_authenticate"), {"code": "000000"}, **BROWSER)
    event = SignInEvent.objects.get()
    assert event.user == partner_a.sales.user
    assert event.succeeded is False and event.failure == SignInFailure.MFA and event.mfa_used is True


def test_a_long_user_agent_is_truncated(client, partner_a):
    client.post(reverse("account_login"), {"login": "sales@contoso.example", "password": PASSWORD},
                HTTP_USER_AGENT="A" * 2000)
    assert len(SignInEvent.objects.get().user_agent) == 300


def test_events_older_than_the_retention_are_purged_and_newer_ones_kept(partner_a, settings):
    settings.SIGN_IN_EVENT_RETENTION_DAYS = 180
    with time_machine.travel(timezone.now() - timedelta(days=181)):
        SignInEvent.objects.create(user=partner_a.sales.user, email="sales@contoso.example", succeeded=True)
    recent = SignInEvent.objects.create(user=partner_a.sales.user, email="sales@contoso.example", succeeded=True)
    assert sign_in_events_purge() == 1
    assert list(SignInEvent.objects.all()) == [recent]
    assert sign_in_events_purge() == 0


def test_the_purge_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-sign-in-events"]
    assert entry["task"] == "accounts.purge_sign_in_events" and entry["schedule"] == 86400.0


# --- Partner console: Partner settings → Sign-in log ----------------------------------------------


def _partner_log(partner) -> str:  # type: ignore[no-untyped-def]
    return reverse("partners:sign_in_log", kwargs={"partner_id": partner.partner_id})


def test_account_admin_sees_the_partners_users_sign_ins_and_no_one_elses(client, partner_a, partner_b):
    _login(client, "sales@contoso.example", "wrong-password")
    _login(client, "sales@fabrikam.example")
    client.logout()
    client.force_login(partner_a.admin.user)
    page = client.get(_partner_log(partner_a.partner))
    assert page.status_code == 200
    body = page.content.decode()
    assert "sales@contoso.example" in body and "203.0.113.7" in body and "TestBrowser/1.0" in body
    assert "sales@fabrikam.example" not in body
    assert [e.user for e in page.context["page"].object_list] == [partner_a.sales.user]


def test_partner_sign_in_log_is_newest_first_and_paged(client, partner_a):
    now = timezone.now()
    for minutes in range(60):
        SignInEvent.objects.create(user=partner_a.sales.user, email="sales@contoso.example", succeeded=True,
                                   at=now - timedelta(minutes=minutes))
    client.force_login(partner_a.admin.user)
    first = client.get(_partner_log(partner_a.partner)).context["page"]
    assert len(first.object_list) == 50 and first.paginator.count == 60
    assert first.object_list[0].at > first.object_list[1].at
    second = client.get(_partner_log(partner_a.partner) + "?page=2").context["page"]
    assert len(second.object_list) == 10
    assert client.get(_partner_log(partner_a.partner) + "?page=nonsense").status_code == 200


def test_partner_sign_in_log_is_for_account_admins_only(client, partner_a, partner_b):
    url = _partner_log(partner_a.partner)
    assert client.get(url).status_code == 302
    for role in (PartnerRole.ADMIN_AGENT, PartnerRole.SALES_AGENT, PartnerRole.HELPDESK_AGENT, PartnerRole.BILLING_ADMIN):
        member = PartnerMembershipFactory(partner=partner_a.partner, roles=[role])
        client.force_login(member.user)
        assert client.get(url).status_code == 403, role
    client.force_login(partner_b.admin.user)
    assert client.get(url).status_code == 404


# --- Customer admin center → Sign-in log ----------------------------------------------------------


def _customer_log(customer) -> str:  # type: ignore[no-untyped-def]
    return reverse("customers:sign_ins", kwargs={"tenant_id": customer.tenant_id})


def test_customer_global_admin_sees_the_tenants_users_sign_ins_only(client, customer_a, customer_b, partner_a):
    _login(client, "it@northwind.example", "wrong-password")
    _login(client, "it@tailspin.example")
    _login(client, "sales@contoso.example")
    client.logout()
    client.force_login(customer_a.user)
    page = client.get(_customer_log(customer_a.customer))
    assert page.status_code == 200
    assert [e.user for e in page.context["page"].object_list] == [customer_a.user]
    body = page.content.decode()
    assert "it@tailspin.example" not in body and "sales@contoso.example" not in body


def test_customer_sign_in_log_is_for_global_admins_and_other_tenants_answer_404(client, customer_a, customer_b):
    url = _customer_log(customer_a.customer)
    assert client.get(url).status_code == 302
    user = CustomerMembershipFactory(customer=customer_a.customer, role=CustomerRole.USER).user
    client.force_login(user)
    assert client.get(url).status_code == 403
    client.force_login(customer_b.user)
    assert client.get(url).status_code == 404


def test_the_pages_are_in_japanese_too(client, partner_a, customer_a):
    client.force_login(partner_a.admin.user)
    client.cookies["django_language"] = "ja"
    body = client.get(_partner_log(partner_a.partner)).content.decode()
    assert "サインイン" in body
    client.force_login(customer_a.user)
    body = client.get(_customer_log(customer_a.customer)).content.decode()
    assert "サインイン" in body


def test_a_user_agent_with_nul_characters_neither_breaks_the_sign_in_nor_the_log(client, partner_a):
    response = client.post(reverse("account_login"), {"login": "sales@contoso.example", "password": PASSWORD},
                           HTTP_USER_AGENT="Evil\x00Agent", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert SignInEvent.objects.get().user_agent == "EvilAgent"


def test_a_remote_address_that_is_not_an_ip_is_stored_as_unknown(client, partner_a):
    client.post(reverse("account_login"), {"login": "sales@contoso.example", "password": "wrong-password"},
                REMOTE_ADDR="unix:/run/gunicorn.sock")
    assert SignInEvent.objects.get().ip_address is None
