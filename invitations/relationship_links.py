"""The partner's reusable relationship link: made with the partner, its token rotated, revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from invitations.choices import LinkStatus
from invitations.errors import InvitationError
from invitations.links import link_issue
from invitations.models import RelationshipLink
from invitations.tokens import new_nonce
from partners.authz import Permission, authorize
from partners.choices import SOVEREIGN_CLOUDS
from partners.models import Partner, PartnerMembership

if TYPE_CHECKING:
    from accounts.models import User


def _new_link(partner: Partner) -> RelationshipLink:
    """An unissued row (its token needs the row's id); the caller issues it."""
    return RelationshipLink.objects.create(partner=partner, token_nonce="-", token_hash=f"unissued-{new_nonce()}",
                                           include_delegated_admin=partner.cloud in SOVEREIGN_CLOUDS)


def relationship_link_for_new_partner(*, partner: Partner, actor: User | None) -> RelationshipLink:
    """A new partner's active reusable link: as in Partner Center, every partner has one to return.

    Part of creating the partner (`partners.signals.partner_created`, inside partner_create's
    transaction, authorised as that is), so no membership is asked for; audited as made by the
    partner's creator.
    """
    link = _new_link(partner)
    link_issue(link, "link")
    link.save(update_fields=["token_nonce", "token_hash"])
    audit_record(action=AuditAction.RELATIONSHIP_LINK_CREATED, actor=actor, partner=partner, target=link,
                 after={"include_delegated_admin": link.include_delegated_admin})
    return link


def on_partner_created(sender: object, *, partner: Partner, actor: User | None, **kwargs: object) -> None:
    """partners.signals.partner_created receiver."""
    relationship_link_for_new_partner(partner=partner, actor=actor)


@transaction.atomic
def relationship_link_rotate(*, membership: PartnerMembership, include_delegated_admin: bool | None = None) -> RelationshipLink:
    """Create the partner's reusable link, or give it a new token (the old link stops working)."""
    authorize(membership, Permission.MANAGE_USERS)
    partner = membership.partner
    link = RelationshipLink.objects.select_for_update().filter(partner=partner).first()
    created = link is None
    if link is None:
        link = _new_link(partner)
    if include_delegated_admin is not None:
        if partner.cloud in SOVEREIGN_CLOUDS and not include_delegated_admin:
            raise InvitationError("sovereign_requires_admin", _("Partners in sovereign clouds must include delegated admin privileges."))
        link.include_delegated_admin = include_delegated_admin
    link_issue(link, "link")
    link.status, link.rotated_at, link.revoked_at = LinkStatus.ACTIVE, timezone.now(), None
    link.save()
    audit_record(action=AuditAction.RELATIONSHIP_LINK_CREATED if created else AuditAction.RELATIONSHIP_LINK_ROTATED,
                 actor=membership.user, partner=partner, target=link, after={"include_delegated_admin": link.include_delegated_admin})
    return link


@transaction.atomic
def relationship_link_revoke(*, membership: PartnerMembership) -> RelationshipLink:
    authorize(membership, Permission.MANAGE_USERS)
    updated = RelationshipLink.objects.filter(partner=membership.partner, status=LinkStatus.ACTIVE).update(
        status=LinkStatus.REVOKED, revoked_at=timezone.now()
    )
    if updated != 1:
        raise InvitationError("not_active", _("The reusable link is not active."))
    link = RelationshipLink.objects.get(partner=membership.partner)
    audit_record(action=AuditAction.RELATIONSHIP_LINK_REVOKED, actor=membership.user, partner=membership.partner, target=link,
                 before={"status": "active"}, after={"status": "revoked"})
    return link
