"""Partner settings → Defaults (issue 24, item 7): account admins set new requests' defaults and the
invitation emails' reply-to and signature; audited before → after."""

from __future__ import annotations

import pytest

from audit.actions import AuditAction
from audit.models import AuditEvent
from partnercenter.directory_roles import BUNDLES, GLOBAL_ADMINISTRATOR
from partnercenter.errors import DomainError, PermissionDeniedError
from partners.authz import TargetNotFoundError
from partners.defaults_services import PartnerDefaults, default_bundle, partner_defaults, partner_defaults_update
from partners.models import Partner

pytestmark = pytest.mark.django_db

HELPDESK = list(BUNDLES["helpdesk"][1])


def defaults(**changes) -> PartnerDefaults:  # type: ignore[no-untyped-def]
    values = {"roles": HELPDESK, "duration_days": 180, "auto_extend": True, "reply_to": "Support@Contoso.example",
              "signature": "Contoso Cloud support\n+81 3 0000 0000"}
    return PartnerDefaults(**{**values, **changes})


def test_an_account_admin_sets_the_defaults_and_the_audit_names_each_change_before_and_after(partner_a) -> None:  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    old_roles = list(partner.default_grant_roles)
    assert partner_defaults_update(actor=partner_a.admin, partner=partner, defaults=defaults()) is True
    partner.refresh_from_db()
    assert partner_defaults(partner) == defaults(reply_to="support@contoso.example")
    assert default_bundle(partner) == "helpdesk"
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_DEFAULTS_CHANGED)
    assert event.data["before"]["default_grant_roles"] == old_roles
    assert event.data["before"]["default_grant_duration_days"] == 730
    assert event.data["after"]["invitation_reply_to"] == "support@contoso.example"
    assert partner_defaults_update(actor=partner_a.admin, partner=partner, defaults=defaults()) is False  # no change: no event
    assert AuditEvent.objects.filter(action=AuditAction.PARTNER_DEFAULTS_CHANGED).count() == 1
    partner_defaults_update(actor=partner_a.admin, partner=partner, defaults=defaults(signature=""))
    last = AuditEvent.objects.filter(action=AuditAction.PARTNER_DEFAULTS_CHANGED).latest("pk")
    assert set(last.data["before"]) == {"invitation_signature"}


def test_only_account_admins_of_the_partner_may_change_the_defaults(partner_a, partner_b) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        partner_defaults_update(actor=partner_a.sales, partner=partner_a.partner, defaults=defaults())
    with pytest.raises(TargetNotFoundError):
        partner_defaults_update(actor=partner_b.admin, partner=partner_a.partner, defaults=defaults())
    assert Partner.objects.get(pk=partner_a.partner.pk).default_grant_duration_days == 730


@pytest.mark.parametrize(("changes", "code"), [
    ({"roles": []}, "roles_required"),
    ({"roles": ["not-a-role"]}, "roles_required"),
    ({"duration_days": 0}, "invalid_duration"),
    ({"duration_days": 731}, "invalid_duration"),
    ({"roles": [GLOBAL_ADMINISTRATOR], "auto_extend": True}, "auto_extend_global_admin"),
    ({"reply_to": "not an address"}, "invalid_reply_to"),
    ({"signature": "x" * 1001}, "invalid_signature"),
    ({"signature": "a\x00b"}, "invalid_signature"),
])
def test_bad_defaults_are_refused_with_the_field(partner_a, changes, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        partner_defaults_update(actor=partner_a.admin, partner=partner_a.partner, defaults=defaults(**changes))
    assert error.value.code == code
    assert not AuditEvent.objects.filter(action=AuditAction.PARTNER_DEFAULTS_CHANGED).exists()
