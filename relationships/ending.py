"""Ending a relationship: by the partner (relationship_terminate_for_partner, with its removal
blockers), by a global admin of the customer or by staff (relationship_terminate)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from partnercenter.links import absolute_url
from partners.authz import PARTNER_KINDS, Actor, Permission, authorize
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.errors import RelationshipError
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.removal import RemovalBlockedError, removal_blockers
from relationships.services import (
    SIDE_OF_KIND,
    customer_contacts,
    notify,
    partner_contacts,
    terminate_locked,
)

if TYPE_CHECKING:
    from partners.models import PartnerMembership


# --- Ending a relationship -------------------------------------------------------------------


@transaction.atomic
def relationship_terminate(*, relationship: Relationship, actor: Actor | PartnerMembership, reason: str) -> Relationship:
    """End the relationship; that partner's active grants end with it and pending requests are rejected.

    Pre: authorize(actor, REMOVE_RELATIONSHIP, relationship). A partner member or API key goes
    through relationship_terminate_for_partner (its subscription preconditions); a global admin
    of the customer (customers.selectors.customer_actor) or staff (reason required) end it here.
    """
    resolved = actor if isinstance(actor, Actor) else Actor.for_membership(actor)
    if resolved.kind in PARTNER_KINDS:
        assert resolved.membership is not None
        return relationship_terminate_for_partner(relationship=relationship, membership=resolved.membership, reason=reason)
    locked = Relationship.objects.select_for_update(of=("self",)).select_related("partner", "customer").get(pk=relationship.pk)
    by = SIDE_OF_KIND.get(resolved.kind, "")
    authorize(resolved, Permission.REMOVE_RELATIONSHIP, locked,
              message=_("Only a global admin of the customer can end a relationship.") if by == "customer" else "")
    if by == "staff" and not reason.strip():
        raise RelationshipError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    actor_user = resolved.user
    now = timezone.now()
    updated = Relationship.objects.filter(pk=locked.pk, status=RelationshipStatus.ACTIVE).update(
        status=RelationshipStatus.TERMINATED, terminated_at=now, terminated_by=actor_user, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise RelationshipError("not_active", _("This relationship has already ended."))
    locked.status = RelationshipStatus.TERMINATED
    grants = DelegatedAdminGrant.objects.select_for_update(of=("self",)).select_related("partner", "customer").filter(
        partner=locked.partner, customer=locked.customer, status__in=[GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING]
    ).order_by("pk")
    for grant in grants:
        if grant.status == GrantStatus.ACTIVE:
            terminate_locked(grant, actor=actor_user, reason=_("The relationship ended."), by=by)
        else:
            DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.APPROVAL_PENDING).update(
                status=GrantStatus.REJECTED, terminated_at=now, terminated_by=actor_user, termination_reason=_("The relationship ended.")
            )
            audit_record(action=AuditAction.GRANT_REJECTED, actor=actor_user, partner=grant.partner, customer=grant.customer,
                         target=grant, before={"status": "approval_pending"}, after={"status": "rejected"},
                         data={"reason": "relationship ended"})
    audit_record(action=AuditAction.RELATIONSHIP_TERMINATED, actor=actor_user, partner=locked.partner, customer=locked.customer,
                 target=locked, before={"status": "active"}, after={"status": "terminated"}, data={"reason": reason.strip(), "by": by})
    notify(users=partner_contacts(locked.partner) + (customer_contacts(locked.customer) if by == "staff" else []),
            template="relationships/email/relationship_ended",
            context={"partner_name": locked.partner.name, "customer_name": locked.customer.company_name, "reason": reason.strip(),
                     "url": absolute_url("relationships:customers", partner_id=locked.partner.partner_id)},
            key=f"relationship:{locked.pk}:ended", partner=locked.partner, customer=locked.customer, topic=f"relationship:{locked.pk}")
    return locked


# --- Partner-side removal (issue 6) ------------------------------------------------------------


@transaction.atomic
def relationship_terminate_for_partner(*, relationship: Relationship, membership: PartnerMembership, reason: str = "") -> Relationship:
    """The partner removes its relationship with the customer.

    Pre: the member may remove relationships (admin agent, account admin); the relationship is
    this partner's and active; the partner has no active subscription for the customer
    (relationships.removal.removal_blockers; RemovalBlockedError lists them otherwise).
    Post: terminated; the partner's active grants terminated and pending requests rejected (one
    audit event each, no email per grant); `relationship.terminated` audited (webhook event);
    one email to each global admin of the customer, through the outbox.
    """

    authorize(membership, Permission.REMOVE_RELATIONSHIP, message=_("Your partner roles do not allow removing a relationship."))
    locked = (Relationship.objects.select_for_update(of=("self",)).select_related("partner", "customer")
              .filter(pk=relationship.pk, partner_id=membership.partner_id).first())
    if locked is None:
        raise RelationshipError("not_found", _("Unknown relationship."))
    if locked.status != RelationshipStatus.ACTIVE:
        raise RelationshipError("not_active", _("This relationship has already ended."))
    # Subscriptions are provisioned only under an active relationship, which is locked above, so
    # no new active subscription can appear between this check and the update.
    blockers = removal_blockers(partner=locked.partner, customer=locked.customer)
    if blockers:
        raise RemovalBlockedError(blockers)
    actor = membership.user
    now = timezone.now()
    updated = Relationship.objects.filter(pk=locked.pk, status=RelationshipStatus.ACTIVE).update(
        status=RelationshipStatus.TERMINATED, terminated_at=now, terminated_by=actor, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise RelationshipError("not_active", _("This relationship has already ended."))
    locked.status, locked.terminated_at = RelationshipStatus.TERMINATED, now
    grants = DelegatedAdminGrant.objects.select_for_update(of=("self",)).select_related("partner", "customer").filter(
        partner=locked.partner, customer=locked.customer, status__in=[GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING]
    ).order_by("pk")
    ended = _("The relationship ended.")
    for grant in grants:
        before = grant.status
        after = GrantStatus.TERMINATED if before == GrantStatus.ACTIVE else GrantStatus.REJECTED
        if DelegatedAdminGrant.objects.filter(pk=grant.pk, status=before).update(
            status=after, terminated_at=now, terminated_by=actor, termination_reason=ended
        ):
            audit_record(action=AuditAction.GRANT_TERMINATED if after == GrantStatus.TERMINATED else AuditAction.GRANT_REJECTED,
                         actor=actor, partner=grant.partner, customer=grant.customer, target=grant,
                         before={"status": before}, after={"status": after}, data={"reason": "relationship ended", "by": "partner"})
    audit_record(action=AuditAction.RELATIONSHIP_TERMINATED, actor=actor, partner=locked.partner, customer=locked.customer,
                 target=locked, before={"status": "active"}, after={"status": "terminated"},
                 data={"reason": reason.strip(), "by": "partner"})
    notify(users=customer_contacts(locked.customer), template="relationships/email/relationship_removed_by_partner",
            context={"partner_name": locked.partner.name, "customer_name": locked.customer.company_name, "reason": reason.strip(),
                     "url": absolute_url("customers:partners", tenant_id=locked.customer.tenant_id)},
            key=f"relationship:{locked.pk}:removed", partner=locked.partner, customer=locked.customer, topic=f"relationship:{locked.pk}")
    return locked
