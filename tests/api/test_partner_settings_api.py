"""/api/v1/partner-settings (issue 24, item 7): the partner's defaults, settings:manage only."""

from __future__ import annotations

import pytest

from audit.actions import AuditAction
from audit.models import AuditEvent
from partnercenter.directory_roles import BUNDLES, GLOBAL_ADMINISTRATOR
from partners.models import Partner

pytestmark = pytest.mark.django_db


def test_a_settings_key_reads_and_changes_the_defaults(partner_a, client_for) -> None:  # type: ignore[no-untyped-def]
    api = client_for(partner_a.admin, ["settings:manage"])
    current = api.get("/api/v1/partner-settings").json()
    assert current["default_duration_days"] == 730 and current["invitation_reply_to"] == ""
    changed = api.patch("/api/v1/partner-settings", {"default_roles": list(BUNDLES["helpdesk"][1]), "default_auto_extend": True,
                                                     "invitation_reply_to": "help@contoso.example"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["default_auto_extend"] is True and changed.json()["default_duration_days"] == 730
    partner = Partner.objects.get(pk=partner_a.partner.pk)
    assert partner.invitation_reply_to == "help@contoso.example"
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_DEFAULTS_CHANGED)
    assert event.actor_label.startswith("API key") and event.data["after"]["default_grant_auto_extend"] is True


def test_bad_settings_are_a_clear_error_and_change_nothing(partner_a, client_for) -> None:  # type: ignore[no-untyped-def]
    api = client_for(partner_a.admin, ["settings:manage"])
    for body in ({"default_duration_days": 0}, {"invitation_reply_to": "nope"}, {"default_roles": []},
                 {"default_roles": ["unknown"]}, {"default_roles": [GLOBAL_ADMINISTRATOR], "default_auto_extend": True}):
        response = api.patch("/api/v1/partner-settings", body, format="json")
        assert response.status_code in {400, 422}, (body, response.content)
    assert not AuditEvent.objects.filter(action=AuditAction.PARTNER_DEFAULTS_CHANGED).exists()


def test_other_scopes_are_refused(partner_a, client_for) -> None:  # type: ignore[no-untyped-def]
    api = client_for(partner_a.admin, ["customers:write", "grants:write", "webhooks:manage"])
    assert api.get("/api/v1/partner-settings").status_code == 403
    assert api.patch("/api/v1/partner-settings", {"default_duration_days": 30}, format="json").status_code == 403
