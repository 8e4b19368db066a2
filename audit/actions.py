"""The registry of audit action codes. Codes are stable: never rename one, add a new one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    PARTNER_CREATED = "partner.created", _("Partner created")
    PARTNER_USER_INVITED = "partner_user.invited", _("Partner user invited")
    PARTNER_USER_INVITATION_RESENT = "partner_user.invitation_resent", _("Partner user invitation resent")
    PARTNER_USER_INVITATION_CANCELLED = "partner_user.invitation_cancelled", _("Partner user invitation cancelled")
    PARTNER_USER_INVITATION_EXPIRED = "partner_user.invitation_expired", _("Partner user invitation expired")
    PARTNER_USER_JOINED = "partner_user.joined", _("Partner user joined")
    PARTNER_USER_ROLES_CHANGED = "partner_user.roles_changed", _("Partner user roles changed")
    PARTNER_USER_REMOVED = "partner_user.removed", _("Partner user removed")
    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_USER_ADDED = "customer_user.added", _("Customer user added")
    AGREEMENT_ACCEPTED = "agreement.accepted", _("Customer agreement accepted")
    INVITATION_CREATED = "invitation.created", _("Invitation created")
    INVITATION_DRAFT_EDITED = "invitation.draft_edited", _("Invitation draft edited")
    INVITATION_SENT = "invitation.sent", _("Invitation sent from the portal")
    INVITATION_RESENT = "invitation.resent", _("Invitation resent (new link)")
    INVITATION_CANCELLED = "invitation.cancelled", _("Invitation cancelled")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_DECLINED = "invitation.declined", _("Invitation declined")
    INVITATION_EXPIRED = "invitation.expired", _("Invitation expired")
    INVITATION_REMINDED = "invitation.reminded", _("Invitation reminder sent")
    RELATIONSHIP_LINK_CREATED = "relationship_link.created", _("Reusable link created")
    RELATIONSHIP_LINK_ROTATED = "relationship_link.rotated", _("Reusable link rotated")
    RELATIONSHIP_LINK_REVOKED = "relationship_link.revoked", _("Reusable link revoked")
    RELATIONSHIP_ESTABLISHED = "relationship.established", _("Relationship established")
    GRANT_REQUESTED = "grant.requested", _("Delegated admin requested")
    GRANT_APPROVED = "grant.approved", _("Delegated admin approved")
    GRANT_REJECTED = "grant.rejected", _("Delegated admin rejected")
    GRANT_TERMINATED = "grant.terminated", _("Delegated admin roles removed")
    GRANT_EXPIRED = "grant.expired", _("Delegated admin expired")
    GRANT_EXTENDED = "grant.extended", _("Delegated admin extended")
    GRANT_REMINDED = "grant.reminded", _("Delegated admin expiry reminder sent")
    ACCESS_ASSIGNMENTS_CHANGED = "grant.access_assignments_changed", _("Access assignments changed")
    RELATIONSHIP_TERMINATED = "relationship.terminated", _("Relationship ended")
    OUTBOX_RESENT = "outbox.resent", _("Delivery resent")
