"""Partner settings → Defaults (issue 24, item 7): what new delegated admin requests start from, and
the reply-to address and signature of invitation emails. Account admins only (partners.authz,
Permission.MANAGE_PARTNER_DEFAULTS), from the console and /api/v1/partner-settings.

The roles and duration were staff-only fields of Partner (the staff console); they keep their
meaning: the reseller request with delegated admin, the reusable link and the bulk upload request
the default roles for the default duration, and every request form opens with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from partnercenter.directory_roles import (
    ALL_ROLES,
    BUNDLES,
    BY_ID,
    GLOBAL_ADMINISTRATOR,
    MAX_DURATION_DAYS,
    MIN_DURATION_DAYS,
)
from partnercenter.errors import DomainError
from partners.authz import Actor, Permission, authorize
from partners.models import Partner, PartnerMembership

MAX_SIGNATURE = 1000
FIELDS = ("default_grant_roles", "default_grant_duration_days", "default_grant_auto_extend", "invitation_reply_to",
          "invitation_signature")


class PartnerDefaultsError(DomainError):
    pass


@dataclass(frozen=True)
class PartnerDefaults:
    roles: list[str]
    duration_days: int
    auto_extend: bool
    reply_to: str
    signature: str


def partner_defaults(partner: Partner) -> PartnerDefaults:
    return PartnerDefaults(roles=list(partner.default_grant_roles), duration_days=partner.default_grant_duration_days,
                           auto_extend=partner.default_grant_auto_extend, reply_to=partner.invitation_reply_to,
                           signature=partner.invitation_signature)


def default_bundle(partner: Partner) -> str:
    """The bundle whose roles are exactly the partner's default roles, or "" (a custom selection)."""
    wanted = set(partner.default_grant_roles)
    return next((key for key, (_label, roles) in BUNDLES.items() if set(roles) == wanted), "")


def defaults_initial(partner: Partner) -> dict[str, Any]:
    """What a new delegated admin request's form opens with: the partner's bundle (or its roles), duration, auto-extend."""
    return {"bundle": default_bundle(partner), "roles": list(partner.default_grant_roles),
            "duration_days": partner.default_grant_duration_days, "auto_extend": partner.default_grant_auto_extend}


def _validated(defaults: PartnerDefaults) -> dict[str, Any]:
    roles = list(dict.fromkeys(defaults.roles))
    if not roles or any(role not in BY_ID for role in roles):
        raise PartnerDefaultsError("roles_required", _("Choose a bundle or at least one role from the catalog."), field="roles")
    if not isinstance(defaults.duration_days, int) or not MIN_DURATION_DAYS <= defaults.duration_days <= MAX_DURATION_DAYS:
        raise PartnerDefaultsError("invalid_duration", _("The duration must be between 1 and 730 days."), field="duration_days")
    if defaults.auto_extend and GLOBAL_ADMINISTRATOR in roles:
        raise PartnerDefaultsError("auto_extend_global_admin",
                                   _("Auto-extend is not allowed while Global Administrator is among the roles."), field="auto_extend")
    reply_to = (defaults.reply_to or "").strip().lower()
    if reply_to:
        try:
            validate_email(reply_to)
        except ValidationError as exc:
            raise PartnerDefaultsError("invalid_reply_to", _("Enter a valid email address."), field="reply_to") from exc
    signature = (defaults.signature or "").replace("\r\n", "\n").strip()
    if len(signature) > MAX_SIGNATURE or "\x00" in signature or "\x00" in reply_to:
        raise PartnerDefaultsError("invalid_signature", _("The signature may have up to 1,000 characters."), field="signature")
    return {
        "default_grant_roles": [role.id for role in ALL_ROLES if role.id in roles],
        "default_grant_duration_days": defaults.duration_days,
        "default_grant_auto_extend": bool(defaults.auto_extend),
        "invitation_reply_to": reply_to,
        "invitation_signature": signature,
    }


@transaction.atomic
def partner_defaults_update(*, actor: Actor | PartnerMembership, partner: Partner, defaults: PartnerDefaults) -> bool:
    """Set the partner's defaults. Returns True when something changed.

    Pre: an account admin of `partner` (PermissionDeniedError otherwise; another partner: not found).
    Post: the partner row locked and updated; one PARTNER_DEFAULTS_CHANGED audit event naming only the
    fields that changed (before → after); nothing written when nothing changed. Requests already made
    keep what they asked for; invitations already drafted keep their text (the signature is part of
    each new draft).
    """
    resolved = authorize(actor, Permission.MANAGE_PARTNER_DEFAULTS, partner_ref(partner),
                         message=_("Only an account admin can change the partner's defaults."))
    values = _validated(defaults)
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    before = {name: getattr(locked, name) for name in FIELDS if getattr(locked, name) != values[name]}
    if not before:
        return False
    after = {name: values[name] for name in before}
    Partner.objects.filter(pk=locked.pk).update(**after)
    for name, value in after.items():
        setattr(partner, name, value)
    audit_record(action=AuditAction.PARTNER_DEFAULTS_CHANGED, actor=resolved.user, partner=partner, target=partner,
                 before=before, after=after)
    return True


class _PartnerRef:
    """authorize's tenancy check reads `partner_id` from the target."""

    def __init__(self, partner: Partner) -> None:
        self.partner_id = partner.pk


def partner_ref(partner: Partner) -> _PartnerRef:
    return _PartnerRef(partner)
