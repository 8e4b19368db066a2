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
    SECURITY_GROUP_CREATED = "security_group.created", _("Security group created")
    SECURITY_GROUP_CHANGED = "security_group.changed", _("Security group changed")
    SECURITY_GROUP_DELETED = "security_group.deleted", _("Security group deleted")
    SECURITY_GROUP_MEMBER_ADDED = "security_group.member_added", _("Security group member added")
    SECURITY_GROUP_MEMBER_REMOVED = "security_group.member_removed", _("Security group member removed")
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
    INVITATION_DELIVERY_FAILED = "invitation.delivery_failed", _("Invitation email could not be delivered")
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
    NOTIFICATION_PREFERENCES_CHANGED = "notification_preferences.changed", _("Notification preferences changed")
    NOTIFICATION_DEFAULTS_CHANGED = "notification_defaults.changed", _("Partner notification defaults changed")
    API_KEY_CREATED = "api_key.created", _("API key created")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    WEBHOOK_SUBSCRIPTION_CREATED = "webhook_subscription.created", _("Webhook subscription created")
    WEBHOOK_SUBSCRIPTION_UPDATED = "webhook_subscription.updated", _("Webhook subscription changed")
    WEBHOOK_SUBSCRIPTION_SECRET_ROTATED = "webhook_subscription.secret_rotated", _("Webhook secret rotated")
    WEBHOOK_SUBSCRIPTION_DELETED = "webhook_subscription.deleted", _("Webhook subscription deleted")
    WEBHOOK_SUBSCRIPTION_DISABLED = "webhook_subscription.disabled", _("Webhook subscription disabled after failures")
    WEBHOOK_DELIVERY_REDELIVERED = "webhook_delivery.redelivered", _("Webhook delivery sent again")
    SERVICE_REQUEST_CREATED = "service_request.created", _("Service request filed")
    SERVICE_REQUEST_STATUS_CHANGED = "service_request.status_changed", _("Service request status changed")
    SERVICE_REQUEST_CLOSED = "service_request.closed", _("Service request closed")
    SERVICE_REQUEST_NOTE_ADDED = "service_request.note_added", _("Note added to a service request")
    AGREEMENT_ATTESTED = "agreement.attested", _("Customer agreement attested by a partner")

    # Graph-compatible surface (issue 11): draft grants before lockForApproval, and later changes.
    GRANT_DRAFTED = "grant.drafted", _("Delegated admin request drafted")
    GRANT_DRAFT_UPDATED = "grant.draft_updated", _("Delegated admin draft changed")
    GRANT_DRAFT_DELETED = "grant.draft_deleted", _("Delegated admin draft deleted")
    GRANT_UPDATED = "grant.updated", _("Delegated admin changed")

    # Customer services (issue 6): subscriptions, support contacts, directory users and licenses.
    SUBSCRIPTION_PROVISIONED = "subscription.provisioned", _("Subscription provisioned")
    SUBSCRIPTION_QUANTITY_CHANGED = "subscription.quantity_changed", _("Subscription quantity changed")
    SUBSCRIPTION_SUSPENDED = "subscription.suspended", _("Subscription suspended")
    SUBSCRIPTION_REACTIVATED = "subscription.reactivated", _("Subscription reactivated")
    SUPPORT_CONTACT_ASSIGNED = "support_contact.assigned", _("Support contact assigned")
    SUPPORT_CONTACT_REMOVED = "support_contact.removed", _("Support contact removed")
    DIRECTORY_USER_CREATED = "directory_user.created", _("Directory user created")
    DIRECTORY_USER_DISABLED = "directory_user.disabled", _("Directory user disabled")
    LICENSE_ASSIGNED = "license.assigned", _("License assigned")
    LICENSE_REMOVED = "license.removed", _("License removed")

    INVITATION_REPORTED = "invitation.reported", _("Invitation reported by its recipient")
    INVITATION_REPORT_REVIEWED = "invitation.report_reviewed", _("Invitation report reviewed by staff")
    PARTNER_DOMAIN_VERIFIED = "partner.domain_verified", _("Partner domain verified")
    PARTNER_MFA_REQUIREMENT_CHANGED = "partner.mfa_requirement_changed", _("Two-step verification requirement changed")

    # Bulk invitations (issue 10).
    INVITATION_BATCH_CONFIRMED = "invitation_batch.confirmed", _("Bulk invitations confirmed")
    INVITATION_BATCH_COMPLETED = "invitation_batch.completed", _("Bulk invitations completed")
    # Bulk delegated admin for existing customers (issue 24).
    DELEGATED_ADMIN_BATCH_CREATED = "delegated_admin_batch.created", _("Bulk delegated admin request created")
    DELEGATED_ADMIN_BATCH_COMPLETED = "delegated_admin_batch.completed", _("Bulk delegated admin request completed")
    # Renewals (issue 24 item 2): a new request for a grant's roles, recorded on the grant it renews.
    GRANT_RENEWAL_REQUESTED = "grant.renewal_requested", _("Delegated admin renewal requested")

    # A partner's private tags and notes on its customers (issue 24, item 5): recorded in the partner's
    # log only (no customer on the event, so the customer's activity never shows them).
    CUSTOMER_TAGS_CHANGED = "customer.tags_changed", _("Customer tags changed")
    CUSTOMER_TAG_CREATED = "customer_tag.created", _("Customer tag created")
    CUSTOMER_TAG_RENAMED = "customer_tag.renamed", _("Customer tag renamed")
    CUSTOMER_TAG_DELETED = "customer_tag.deleted", _("Customer tag deleted")
    CUSTOMER_NOTE_ADDED = "customer_note.added", _("Customer note added")
    CUSTOMER_NOTE_EDITED = "customer_note.edited", _("Customer note edited")
    CUSTOMER_NOTE_DELETED = "customer_note.deleted", _("Customer note deleted")
    # Partner settings → Defaults (issue 24, item 7).
    PARTNER_DEFAULTS_CHANGED = "partner.defaults_changed", _("Partner defaults changed")
