"""Webhook event types, which audit actions raise them, and the payload integrators receive.

An event is raised by the audit event of a state transition (audit.services.audit_record sends
audit.signals.event_recorded, to which NotificationsConfig.ready connects
notifications.webhook_services.webhook_events_emit), so there is exactly one per transition and
none for a no-op: services write audit events only when their conditional UPDATE changed a row.

Payload (JSON, UTF-8):

    {"id": "<uuid, stable for this event>", "type": "invitation.accepted",
     "created_at": "2026-05-01T12:00:00.000000+00:00", "partner_id": "4100001",
     "data": {"object": {"type": "invitation", "id": "42", "url": "https://…/api/v1/invitations/42"},
              "customer": {"tenant_id": "…", "company_name": "…"} | null,
              "actor": "it@northwind.example", "before": {…}, "after": {…}}}
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction
from partnercenter.links import absolute_path

if TYPE_CHECKING:
    from audit.models import AuditEvent


class WebhookEventType(models.TextChoices):
    INVITATION_CREATED = "invitation.created", _("Invitation created")
    INVITATION_SENT = "invitation.sent", _("Invitation emailed from the portal")
    INVITATION_RESENT = "invitation.resent", _("Invitation resent with a new link")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_DECLINED = "invitation.declined", _("Invitation declined")
    INVITATION_CANCELLED = "invitation.cancelled", _("Invitation cancelled")
    INVITATION_EXPIRED = "invitation.expired", _("Invitation expired")
    INVITATION_DELIVERY_FAILED = "invitation.delivery_failed", _("Invitation email could not be delivered")
    RELATIONSHIP_ESTABLISHED = "relationship.established", _("Relationship established")
    RELATIONSHIP_TERMINATED = "relationship.terminated", _("Relationship ended")
    GRANT_REQUESTED = "grant.requested", _("Delegated admin requested")
    GRANT_APPROVED = "grant.approved", _("Delegated admin approved")
    GRANT_REJECTED = "grant.rejected", _("Delegated admin rejected")
    GRANT_EXPIRED = "grant.expired", _("Delegated admin expired")
    GRANT_EXTENDED = "grant.extended", _("Delegated admin extended")
    GRANT_TERMINATED = "grant.terminated", _("Delegated admin roles removed")
    GRANT_ACCESS_ASSIGNMENTS_CHANGED = "grant.access_assignments_changed", _("Access assignments changed")
    GRANT_RENEWAL_REQUESTED = "grant.renewal_requested", _("Delegated admin renewal requested")
    SERVICE_REQUEST_CREATED = "service_request.created", _("Service request filed")
    SERVICE_REQUEST_UPDATED = "service_request.updated", _("Service request status changed")
    SERVICE_REQUEST_CLOSED = "service_request.closed", _("Service request closed")
    SERVICE_REQUEST_NOTE_ADDED = "service_request.note_added", _("Note added to a service request")

    SUBSCRIPTION_PROVISIONED = "subscription.provisioned", _("Subscription provisioned")
    SUBSCRIPTION_QUANTITY_CHANGED = "subscription.quantity_changed", _("Subscription quantity changed")
    SUBSCRIPTION_SUSPENDED = "subscription.suspended", _("Subscription suspended")
    SUBSCRIPTION_REACTIVATED = "subscription.reactivated", _("Subscription reactivated")
    SUPPORT_CONTACT_ASSIGNED = "support_contact.assigned", _("Support contact assigned")
    SUPPORT_CONTACT_REMOVED = "support_contact.removed", _("Support contact removed")
    LICENSE_ASSIGNED = "license.assigned", _("License assigned")
    LICENSE_REMOVED = "license.removed", _("License removed")
    # Issue 24: the partner's private tags and notes on a customer (to the partner's own endpoints only),
    # and its defaults.
    CUSTOMER_TAGS_CHANGED = "customer.tags_changed", _("Customer tags changed")
    CUSTOMER_NOTE_ADDED = "customer_note.added", _("Customer note added")
    CUSTOMER_NOTE_EDITED = "customer_note.edited", _("Customer note edited")
    CUSTOMER_NOTE_DELETED = "customer_note.deleted", _("Customer note deleted")
    PARTNER_DEFAULTS_CHANGED = "partner.defaults_changed", _("Partner defaults changed")

    # Partner security groups, the access containers of access assignments (issue 23)
    SECURITY_GROUP_CREATED = "security_group.created", _("Security group created")
    SECURITY_GROUP_UPDATED = "security_group.updated", _("Security group renamed or its description changed")
    SECURITY_GROUP_DELETED = "security_group.deleted", _("Security group deleted")
    SECURITY_GROUP_MEMBER_ADDED = "security_group.member_added", _("Security group member added")
    SECURITY_GROUP_MEMBER_REMOVED = "security_group.member_removed", _("Security group member removed")


EVENT_FOR_ACTION: dict[str, WebhookEventType] = {
    AuditAction.INVITATION_CREATED: WebhookEventType.INVITATION_CREATED,
    AuditAction.INVITATION_SENT: WebhookEventType.INVITATION_SENT,
    AuditAction.INVITATION_RESENT: WebhookEventType.INVITATION_RESENT,
    AuditAction.INVITATION_ACCEPTED: WebhookEventType.INVITATION_ACCEPTED,
    AuditAction.INVITATION_DECLINED: WebhookEventType.INVITATION_DECLINED,
    AuditAction.INVITATION_CANCELLED: WebhookEventType.INVITATION_CANCELLED,
    AuditAction.INVITATION_EXPIRED: WebhookEventType.INVITATION_EXPIRED,
    AuditAction.INVITATION_DELIVERY_FAILED: WebhookEventType.INVITATION_DELIVERY_FAILED,
    AuditAction.RELATIONSHIP_ESTABLISHED: WebhookEventType.RELATIONSHIP_ESTABLISHED,
    AuditAction.RELATIONSHIP_TERMINATED: WebhookEventType.RELATIONSHIP_TERMINATED,
    AuditAction.GRANT_REQUESTED: WebhookEventType.GRANT_REQUESTED,
    AuditAction.GRANT_APPROVED: WebhookEventType.GRANT_APPROVED,
    AuditAction.GRANT_REJECTED: WebhookEventType.GRANT_REJECTED,
    AuditAction.GRANT_EXPIRED: WebhookEventType.GRANT_EXPIRED,
    AuditAction.GRANT_EXTENDED: WebhookEventType.GRANT_EXTENDED,
    AuditAction.GRANT_TERMINATED: WebhookEventType.GRANT_TERMINATED,
    AuditAction.ACCESS_ASSIGNMENTS_CHANGED: WebhookEventType.GRANT_ACCESS_ASSIGNMENTS_CHANGED,
    AuditAction.GRANT_RENEWAL_REQUESTED: WebhookEventType.GRANT_RENEWAL_REQUESTED,
    AuditAction.SERVICE_REQUEST_CREATED: WebhookEventType.SERVICE_REQUEST_CREATED,
    AuditAction.SERVICE_REQUEST_STATUS_CHANGED: WebhookEventType.SERVICE_REQUEST_UPDATED,
    AuditAction.SERVICE_REQUEST_CLOSED: WebhookEventType.SERVICE_REQUEST_CLOSED,
    AuditAction.SERVICE_REQUEST_NOTE_ADDED: WebhookEventType.SERVICE_REQUEST_NOTE_ADDED,

    AuditAction.SUBSCRIPTION_PROVISIONED: WebhookEventType.SUBSCRIPTION_PROVISIONED,
    AuditAction.SUBSCRIPTION_QUANTITY_CHANGED: WebhookEventType.SUBSCRIPTION_QUANTITY_CHANGED,
    AuditAction.SUBSCRIPTION_SUSPENDED: WebhookEventType.SUBSCRIPTION_SUSPENDED,
    AuditAction.SUBSCRIPTION_REACTIVATED: WebhookEventType.SUBSCRIPTION_REACTIVATED,
    AuditAction.SUPPORT_CONTACT_ASSIGNED: WebhookEventType.SUPPORT_CONTACT_ASSIGNED,
    AuditAction.SUPPORT_CONTACT_REMOVED: WebhookEventType.SUPPORT_CONTACT_REMOVED,
    AuditAction.LICENSE_ASSIGNED: WebhookEventType.LICENSE_ASSIGNED,
    AuditAction.LICENSE_REMOVED: WebhookEventType.LICENSE_REMOVED,

    AuditAction.SECURITY_GROUP_CREATED: WebhookEventType.SECURITY_GROUP_CREATED,
    AuditAction.SECURITY_GROUP_CHANGED: WebhookEventType.SECURITY_GROUP_UPDATED,
    AuditAction.SECURITY_GROUP_DELETED: WebhookEventType.SECURITY_GROUP_DELETED,
    AuditAction.SECURITY_GROUP_MEMBER_ADDED: WebhookEventType.SECURITY_GROUP_MEMBER_ADDED,
    AuditAction.SECURITY_GROUP_MEMBER_REMOVED: WebhookEventType.SECURITY_GROUP_MEMBER_REMOVED,
    AuditAction.CUSTOMER_TAGS_CHANGED: WebhookEventType.CUSTOMER_TAGS_CHANGED,
    AuditAction.CUSTOMER_NOTE_ADDED: WebhookEventType.CUSTOMER_NOTE_ADDED,
    AuditAction.CUSTOMER_NOTE_EDITED: WebhookEventType.CUSTOMER_NOTE_EDITED,
    AuditAction.CUSTOMER_NOTE_DELETED: WebhookEventType.CUSTOMER_NOTE_DELETED,
    AuditAction.PARTNER_DEFAULTS_CHANGED: WebhookEventType.PARTNER_DEFAULTS_CHANGED,
}

# target_type (app_label.model) → (object type in the payload, API path of the resource)
OBJECTS: dict[str, tuple[str, str]] = {
    "invitations.invitation": ("invitation", "/api/v1/invitations/{id}"),
    "relationships.relationship": ("relationship", "/api/v1/relationships/{id}"),
    "relationships.delegatedadmingrant": ("grant", "/api/v1/grants/{id}"),
    "servicerequests.servicerequest": ("service_request", "/api/v1/service-requests/{id}"),
    "subscriptions.subscription": ("subscription", ""),
    "directory.licenseassignment": ("license", ""),
    "partners.partnersecuritygroup": ("security_group", "/api/v1/security-groups/{id}"),
    "relationships.customernote": ("customer_note", ""),
    "partners.partner": ("partner_settings", "/api/v1/partner-settings"),
}

# target_type → the key of the audit event's data that holds the id the API names the object by
# (a security group is addressed by its object id, a GUID, not by its row's primary key).
OBJECT_ID_KEYS: dict[str, str] = {
    "partners.partnersecuritygroup": "object_id",
}

EVENT_ID_NAMESPACE = uuid.UUID("6f1b8c4e-3c55-4a8e-9a55-6d1f0f2b7a10")


def event_id_for(event: AuditEvent) -> uuid.UUID:
    """Stable per audit event: every subscription and every redelivery carries the same id."""
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"audit-event:{event.pk}")


def event_body(*, event: AuditEvent, event_type: str, partner_public_id: str, customer: dict[str, str] | None) -> str:
    """The exact JSON text that is signed and posted (compact, keys sorted)."""
    object_type, path = OBJECTS.get(event.target_type, (event.target_type.split(".")[-1], ""))
    object_id = str(event.data.get(OBJECT_ID_KEYS.get(event.target_type, ""), "") or event.target_id)
    data: dict[str, Any] = {
        key: value for key, value in event.data.items() if key not in {"object", "customer", "actor"}
    }
    data.update(
        object={
            "type": object_type,
            "id": object_id,
            "url": absolute_path(path.format(id=object_id)) if path else None,
        },
        customer=customer,
        actor=event.actor_label,
    )
    payload = {
        "id": str(event_id_for(event)),
        "type": event_type,
        "created_at": event.occurred_at.isoformat(),
        "partner_id": partner_public_id,
        "data": data,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
