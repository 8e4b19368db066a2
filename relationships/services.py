"""Relationship and delegated admin actions (the grant lifecycle grows here)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_record
from relationships.choices import GrantStatus, RelationshipStatus, RelationshipType
from relationships.models import DelegatedAdminGrant, Relationship

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer
    from invitations.models import Invitation
    from partners.models import Partner


def relationship_establish(
    *, partner: Partner, customer: Customer, invitation: Invitation | None, actor: User | None,
    relationship_type: str = RelationshipType.RESELLER, indirect_provider: Partner | None = None,
) -> tuple[Relationship, bool]:
    """The active relationship between partner and customer, created if there is none.

    Returns (relationship, created). Must run inside the caller's transaction; the partial
    unique constraint settles a race between two different invitations (the loser reuses the
    winner's row).
    """
    existing = Relationship.objects.filter(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            relationship = Relationship.objects.create(
                partner=partner, customer=customer, established_by=invitation, relationship_type=relationship_type,
                indirect_provider=indirect_provider,
            )
    except IntegrityError:
        return Relationship.objects.get(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE), False
    audit_record(action=AuditAction.RELATIONSHIP_ESTABLISHED, actor=actor, partner=partner, customer=customer,
                 target=relationship, after={"type": relationship_type, "invitation_id": invitation.pk if invitation else None})
    return relationship, True


def grant_display_name(*, partner: Partner, customer: Customer) -> str:
    base = f"{customer.company_name[:60]} {timezone.now():%Y-%m-%d}"
    name, n = base, 1
    while DelegatedAdminGrant.objects.filter(partner=partner, display_name=name).exists():
        n += 1
        name = f"{base} ({n})"
    return name


def grant_request_from_invitation(*, invitation: Invitation, customer: Customer, actor: User | None) -> DelegatedAdminGrant:
    """The delegated admin request carried by an accepted invitation, waiting for approval."""
    grant = DelegatedAdminGrant.objects.create(
        partner=invitation.partner,
        customer=customer,
        display_name=grant_display_name(partner=invitation.partner, customer=customer),
        roles=list(invitation.requested_roles),
        duration_days=invitation.grant_duration_days or 730,
        auto_extend=invitation.grant_auto_extend,
        requested_by_invitation=invitation,
        request_expires_at=timezone.now() + timedelta(days=settings.GRANT_REQUEST_VALIDITY_DAYS),
        status=GrantStatus.APPROVAL_PENDING,
    )
    audit_record(action=AuditAction.GRANT_REQUESTED, actor=actor, partner=invitation.partner, customer=customer,
                 target=grant, after={"roles": grant.roles, "duration_days": grant.duration_days, "invitation_id": invitation.pk})
    return grant
