"""Partner settings → Sign-in security: an account admin requires MFA of every user of the partner,
and the console then sends members without a second factor to set one up (issue 18, item 11)."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from partnercenter.errors import PermissionDeniedError
from partners.choices import PartnerRole
from partners.models import Partner
from partners.services import partner_create
from partners.sign_in_security_services import partner_mfa_requirement_set
from tests.factories import PASSWORD, PartnerMembershipFactory
from tests.staff.users import enable_totp, totp_code


def _require_mfa(partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk).update(mfa_required=True)


def _sign_in_with_password_and_totp(client, user, secret: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302


# --- The service --------------------------------------------------------------------------------


def test_account_admin_requires_mfa_and_the_change_is_audited(partner_a):
    assert partner_mfa_requirement_set(membership=partner_a.admin, required=True) is True
    partner_a.partner.refresh_from_db()
    assert partner_a.partner.mfa_required is True
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_MFA_REQUIREMENT_CHANGED)
    assert event.partner_id == partner_a.partner.pk
    assert event.actor_id == partner_a.admin.user_id
    assert event.data == {"before": {"mfa_required": False}, "after": {"mfa_required": True}}


def test_setting_the_same_value_again_is_a_no_op_without_an_audit_event(partner_a):
    partner_mfa_requirement_set(membership=partner_a.admin, required=True)
    assert partner_mfa_requirement_set(membership=partner_a.admin, required=True) is False
    assert AuditEvent.objects.filter(action=AuditAction.PARTNER_MFA_REQUIREMENT_CHANGED).count() == 1


@pytest.mark.parametrize("role", [PartnerRole.ADMIN_AGENT, PartnerRole.SALES_AGENT, PartnerRole.HELPDESK_AGENT,
                                  PartnerRole.BILLING_ADMIN])
def test_only_account_admins_may_change_the_requirement(partner_a, role):
    member = PartnerMembershipFactory(partner=partner_a.partner, roles=[role])
    with pytest.raises(PermissionDeniedError):
        partner_mfa_requirement_set(membership=member, required=True)
    partner_a.partner.refresh_from_db()
    assert partner_a.partner.mfa_required is False
    assert not AuditEvent.objects.filter(action=AuditAction.PARTNER_MFA_REQUIREMENT_CHANGED).exists()


def test_new_partners_take_the_default_from_the_setting(db):
    with override_settings(PARTNER_MFA_REQUIRED_DEFAULT=True):
        required = partner_create(name="Secure Co", country="JP", cloud="public", partner_type="direct_bill",
                                  verified_domain="secure.example", actor=None)
    with override_settings(PARTNER_MFA_REQUIRED_DEFAULT=False):
        optional = partner_create(name="Open Co", country="JP", cloud="public", partner_type="direct_bill",
                                  verified_domain="open.example", actor=None)
    assert required.mfa_required is True
    assert optional.mfa_required is False


def test_test_settings_keep_the_default_off_so_existing_fixtures_are_unaffected(settings):
    assert settings.PARTNER_MFA_REQUIRED_DEFAULT is False


# --- The settings page --------------------------------------------------------------------------


def test_account_admin_turns_the_requirement_on_from_the_settings_page(client, partner_a):
    client.force_login(partner_a.admin.user)
    url = reverse("partners:sign_in_security", kwargs={"partner_id": partner_a.partner.partner_id})
    page = client.get(url)
    assert page.status_code == 200
    assert "sales@contoso.example" in page.content.decode()  # listed: no second factor yet
    response = client.post(url, {"mfa_required": "on"})
    assert response.status_code == 302 and response.url == url
    partner_a.partner.refresh_from_db()
    assert partner_a.partner.mfa_required is True


def test_settings_page_refuses_other_roles_and_hides_other_partners(client, partner_a, partner_b):
    url = reverse("partners:sign_in_security", kwargs={"partner_id": partner_a.partner.partner_id})
    assert client.get(url).status_code == 302  # anonymous: to sign-in
    client.force_login(partner_a.sales.user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"mfa_required": "on"}).status_code == 403
    client.force_login(partner_b.admin.user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"mfa_required": "on"}).status_code == 404
    partner_a.partner.refresh_from_db()
    assert partner_a.partner.mfa_required is False


# --- Enforcement in the console -----------------------------------------------------------------


def test_member_without_mfa_is_sent_to_set_it_up_and_cannot_reach_the_console(client, partner_a):
    _require_mfa(partner_a.partner)
    client.force_login(partner_a.sales.user)
    overview = reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.get(overview)
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp") + "?next=")


def test_a_post_action_is_refused_too_until_mfa_is_set_up(client, partner_a):
    _require_mfa(partner_a.partner)
    client.force_login(partner_a.admin.user)
    url = reverse("partners:users", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.post(url, {"email": "new@contoso.example", "roles": [PartnerRole.SALES_AGENT], "language": "en"})
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_activate_totp"))
    from partners.models import PartnerUserInvitation

    assert not PartnerUserInvitation.objects.filter(email="new@contoso.example").exists()


def test_member_who_signed_in_with_password_and_totp_reaches_the_console(client, partner_a):
    _require_mfa(partner_a.partner)
    secret = enable_totp(partner_a.sales.user)
    _sign_in_with_password_and_totp(client, partner_a.sales.user, secret)
    overview = reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})
    assert client.get(overview).status_code == 200


def test_session_without_the_second_factor_is_asked_to_reauthenticate_then_passes(client, partner_a):
    _require_mfa(partner_a.partner)
    client.force_login(partner_a.sales.user)  # a session from before TOTP was set up: no MFA record
    secret = enable_totp(partner_a.sales.user)
    overview = reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.get(overview)
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert client.get(overview).status_code == 200


def test_after_setting_up_totp_from_the_redirect_the_member_gets_in(client, partner_a):
    """The whole path a member takes: redirected, activates TOTP on allauth's page, confirms, enters."""
    _require_mfa(partner_a.partner)
    client.post(reverse("account_login"), {"login": partner_a.sales.user.email, "password": PASSWORD})
    overview = reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})
    setup = client.get(overview)
    assert setup.url.startswith(reverse("mfa_activate_totp"))
    page = client.get(setup.url)
    if page.status_code == 302:  # allauth confirms the password before adding an authenticator
        assert page.url.startswith(reverse("account_reauthenticate"))
        client.post(page.url, {"password": PASSWORD})
        page = client.get(setup.url)
    secret = page.context["form"].secret
    client.post(setup.url, {"code": totp_code(secret)})
    step = client.get(overview)
    if step.status_code == 302:  # allauth's activation is not itself a sign-in with the second factor
        assert step.url.startswith(reverse("mfa_reauthenticate"))
        client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
        step = client.get(overview)
    assert step.status_code == 200


def test_partners_that_do_not_require_mfa_let_password_sessions_in(client, partner_a):
    client.force_login(partner_a.sales.user)
    assert client.get(reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})).status_code == 200


def test_a_user_of_several_partners_needs_mfa_only_where_it_is_required(client, partner_a, partner_b):
    consultant = partner_a.sales.user
    PartnerMembershipFactory(partner=partner_b.partner, user=consultant, roles=[PartnerRole.SALES_AGENT])
    _require_mfa(partner_a.partner)
    client.force_login(consultant)
    assert client.get(reverse("partners:overview", kwargs={"partner_id": partner_b.partner.partner_id})).status_code == 200
    response = client.get(reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id}))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_activate_totp"))


def test_other_partners_still_answer_404_not_an_mfa_redirect(client, partner_a, partner_b):
    _require_mfa(partner_a.partner)
    client.force_login(partner_b.sales.user)
    assert client.get(reverse("partners:overview", kwargs={"partner_id": partner_a.partner.partner_id})).status_code == 404


def _console_routes() -> list[tuple[str, URLPattern]]:
    def walk(patterns, prefix=""):  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{pattern.namespace}:" if pattern.namespace else ""
                yield from ((f"{ns}{name}", p) for name, p in walk(pattern.url_patterns, prefix))
            elif pattern.name:
                yield pattern.name, pattern

    return [(name, p) for name, p in walk(get_resolver().url_patterns) if "partner_id" in str(p.pattern)]


def _fill(pattern: URLPattern, partner_id: str) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    for key, converter in pattern.pattern.converters.items():
        if key == "partner_id":
            kwargs[key] = partner_id
        elif type(converter).__name__ == "UUIDConverter":
            kwargs[key] = uuid.uuid4()
        elif type(converter).__name__ == "IntConverter":
            kwargs[key] = 1
        else:
            kwargs[key] = "x"
    return kwargs


def test_every_console_route_sends_a_member_without_mfa_to_set_it_up(client, partner_a):
    """Driven by the URL configuration: every page and action under /p/<partner_id>/ (GET and POST)."""
    routes = _console_routes()
    assert len(routes) > 40
    _require_mfa(partner_a.partner)
    client.force_login(partner_a.admin.user)
    missed = []
    for name, pattern in routes:
        kwargs = _fill(pattern, partner_a.partner.partner_id)
        defaults = {k: v for k, v in (pattern.default_args or {}).items()}
        url = reverse(name, kwargs={k: v for k, v in kwargs.items() if k not in defaults})
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code != 302 or not response.url.startswith(reverse("mfa_activate_totp")):
                missed.append((name, method.__name__, response.status_code))
    assert missed == []


def test_api_keys_are_not_sign_ins_and_keep_working(partner_a):
    from partners.api_key_services import api_key_create
    from partners.permissions import ApiScope
    from tests.api.conftest import KeyClient

    _require_mfa(partner_a.partner)
    issued = api_key_create(membership=partner_a.admin, name="Sync", scopes=[ApiScope.INVITATIONS_READ],
                            expires_in_days=None)
    response = KeyClient(issued.token).get("/api/v1/invitations")
    assert response.status_code == 200
