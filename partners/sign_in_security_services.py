"""Partner settings → Sign-in security: requiring a second factor of every user of the partner."""

from __future__ import annotations

from django.db import transaction

from audit.actions import AuditAction
from audit.services import audit_record
from partners.authz import Permission, authorize
from partners.models import Partner, PartnerMembership


@transaction.atomic
def partner_mfa_requirement_set(*, membership: PartnerMembership, required: bool) -> bool:
    """Require (or stop requiring) MFA of every user of `membership.partner`. Returns True when it changed.

    Pre: the member is an account admin of the partner (PermissionDeniedError otherwise).
    Post: a conditional UPDATE on the current value, so setting the same value again is a no-op
    without an audit event; otherwise one audit event (before/after) in the same transaction.
    From the next request, members without a second factor are sent to set one up
    (console.mixins); API keys are not sign-ins and are unaffected.
    """
    authorize(membership, Permission.MANAGE_SIGN_IN_SECURITY)
    partner = membership.partner
    updated = Partner.objects.filter(pk=partner.pk, mfa_required=not required).update(mfa_required=required)
    partner.mfa_required = required
    if updated:
        audit_record(
            action=AuditAction.PARTNER_MFA_REQUIREMENT_CHANGED,
            actor=membership.user,
            partner=partner,
            target=partner,
            before={"mfa_required": not required},
            after={"mfa_required": required},
        )
    return bool(updated)
