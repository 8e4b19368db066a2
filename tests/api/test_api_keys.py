"""Partner settings → API keys, and what a key is: its own inactive user, an actor with the roles
its scopes need, never a member of the partner."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEvent
from partnercenter.errors import PermissionDeniedError
from partnercenter.tokens import token_hash
from partners.api_key_services import api_key_actor
from partners.models import ApiKey, PartnerMembership
from partners.selectors import partner_user_list
from tests.api.conftest import KeyClient
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def url(partner) -> str:  # type: ignore[no-untyped-def]
    return f"/p/{partner.partner_id}/settings/api-keys/"


def signed_in(client, membership):  # type: ignore[no-untyped-def]
    client.login(email=membership.user.email, password=PASSWORD)
    return client


def test_an_account_admin_creates_a_key_and_sees_its_secret_once(client, partner_a):  # type: ignore[no-untyped-def]
    signed_in(client, partner_a.admin)
    response = client.post(url(partner_a.partner), {"name": "PSA sync", "scopes": ["invitations:write", "grants:read"], "expires_in_days": "90"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Bearer &lt;key&gt;" in response.content.decode()
    token = re.search(r'value="(pck_[^"]+)"', response.content.decode()).group(1)
    api_key = ApiKey.objects.get(partner=partner_a.partner, name="PSA sync")
    assert api_key.key_hash == token_hash(token) and token.startswith(api_key.prefix)
    assert api_key.scopes == ["invitations:write", "grants:read"] and api_key.created_by == partner_a.admin.user
    assert AuditEvent.objects.filter(action="api_key.created", target_id=str(api_key.pk)).exists()
    listing = client.get(url(partner_a.partner)).content.decode()
    assert api_key.prefix in listing and token not in listing
    assert KeyClient(token).get("/api/v1/invitations").status_code == 200


def test_revoking_a_key_stops_it_at_once(client, partner_a, issue_key):  # type: ignore[no-untyped-def]
    api_key, token = issue_key(partner_a.admin)
    assert KeyClient(token).get("/api/v1/invitations").status_code == 200
    signed_in(client, partner_a.admin)
    response = client.post(f"{url(partner_a.partner)}{api_key.pk}/revoke/")
    assert response.status_code == 302
    assert KeyClient(token).get("/api/v1/invitations").status_code == 401
    assert AuditEvent.objects.filter(action="api_key.revoked", actor=partner_a.admin.user).exists()


def test_only_account_admins_manage_keys_and_other_partners_see_404(client, partner_a, partner_b, issue_key):  # type: ignore[no-untyped-def]
    signed_in(client, partner_a.sales)
    assert client.get(url(partner_a.partner)).status_code == 403
    assert client.post(url(partner_a.partner), {"name": "x", "scopes": ["invitations:read"]}).status_code == 403
    client.logout()
    assert client.get(url(partner_a.partner)).status_code == 302  # anonymous: to sign-in
    api_key, _token = issue_key(partner_a.admin)
    signed_in(client, partner_b.admin)
    assert client.get(url(partner_a.partner)).status_code == 404
    assert client.post(f"{url(partner_b.partner)}{api_key.pk}/revoke/").status_code == 404
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


def test_form_errors_are_shown(client, partner_a, issue_key):  # type: ignore[no-untyped-def]
    issue_key(partner_a.admin, name="Taken")
    signed_in(client, partner_a.admin)
    response = client.post(url(partner_a.partner), {"name": "Taken", "scopes": ["invitations:read"]})
    assert response.status_code == 200
    assert "An API key with this name already exists." in response.content.decode()
    assert ApiKey.objects.filter(name="Taken").count() == 1


def test_a_key_has_its_own_inactive_user_and_is_never_a_member(partner_a, issue_key):  # type: ignore[no-untyped-def]
    api_key, _token = issue_key(partner_a.admin, ["grants:write"], name="Billing bot")
    user = api_key.user
    assert not user.is_active and not user.has_usable_password()
    assert user.email == f"api-key-{api_key.pk}@{partner_a.partner.verified_domain}.invalid"
    assert not PartnerMembership.objects.filter(user=user).exists()
    assert user not in [m.user for m in partner_user_list(partner=partner_a.partner)]
    actor = api_key_actor(api_key=api_key)
    assert actor.pk is None and actor.partner == partner_a.partner
    assert actor.roles == ["account_admin", "admin_agent", "helpdesk_agent"]  # what grants:write (and read) need


def test_a_key_with_invitations_write_acts_as_a_sales_agent(partner_a, issue_key, world):  # type: ignore[no-untyped-def]

    from invitations.create_services import invitation_create

    api_key, _token = issue_key(partner_a.admin, ["invitations:write"])
    actor = api_key_actor(api_key=api_key)
    assert actor.roles == ["sales_agent", "helpdesk_agent"]
    with pytest.raises(PermissionDeniedError) as refused:
        invitation_create(membership=actor, include_delegated_admin=True, kind="delegated_admin", customer=world["customer"])
    assert refused.value.code == "forbidden"


def test_use_is_recorded_at_most_once_a_minute(partner_a, issue_key):  # type: ignore[no-untyped-def]
    api_key, token = issue_key(partner_a.admin, ["invitations:read"])
    client = KeyClient(token)
    client.get("/api/v1/relationship-requests/link")
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    client.get("/api/v1/relationship-requests/link")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first


def test_the_integration_pages_speak_japanese(client, partner_a, settings):  # type: ignore[no-untyped-def]
    signed_in(client, partner_a.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    keys = client.get(url(partner_a.partner)).content.decode()
    hooks = client.get(f"/p/{partner_a.partner.partner_id}/settings/webhooks/").content.decode()
    assert "API キーを作成" in keys and "スコープ" in keys
    assert "サブスクリプションを追加" in hooks and "配信" in hooks


def test_the_page_offers_every_scope_and_a_key_with_every_box_ticked_works_on_service_requests(client, partner_a, world):  # type: ignore[no-untyped-def]
    """Issue 21, item 5: the page never offered service_requests:read/write."""
    from partners.permissions import ApiScope

    signed_in(client, partner_a.admin)
    offered = re.findall(r'name="scopes" value="([^"]+)"', client.get(url(partner_a.partner)).content.decode())
    assert offered == [scope.value for scope in ApiScope]
    response = client.post(url(partner_a.partner), {"name": "Everything", "scopes": offered})
    token = re.search(r'value="(pck_[^"]+)"', response.content.decode()).group(1)
    api, path = KeyClient(token), f"/api/v1/service-requests/{world['service_request'].pk}"
    read = api.get(path)
    assert read.status_code == 200, read.json()
    moved = api.patch(path, {"status": "in_progress"}, HTTP_IF_MATCH=read["ETag"])
    assert moved.status_code == 200, moved.json()


def test_docs_list_exactly_the_scopes_the_code_has_and_none_as_reserved():  # type: ignore[no-untyped-def]
    from pathlib import Path

    from django.conf import settings

    from console.api_key_forms import SCOPE_DESCRIPTIONS
    from partners.permissions import ApiScope

    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    section = text.split("## Keys and scopes", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| `([a-z_]+:[a-z]+)` \|", section, re.MULTILINE) == [scope.value for scope in ApiScope]
    assert "reserved" not in section.lower()
    assert set(SCOPE_DESCRIPTIONS) == set(ApiScope)
    assert not any("reserved" in str(description).lower() for description in SCOPE_DESCRIPTIONS.values())
