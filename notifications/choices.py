from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationKind(models.TextChoices):
    """What a person can be told about, in the product (notifications.kinds says who hears what)."""

    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    INVITATION_DECLINED = "invitation_declined", _("Invitation declined")
    INVITATION_DELIVERY_FAILED = "invitation_delivery_failed", _("Invitation email not delivered")
    GRANT_REQUESTED = "grant_requested", _("New admin role requests")
    GRANT_EXPIRING = "grant_expiring", _("Admin roles ending soon")
    SERVICE_REQUEST_UPDATED = "service_request_updated", _("Service request updates")


class NotificationDelivery(models.TextChoices):
    """How a person gets one kind of notification by email (the in-app list always shows it)."""

    IMMEDIATE = "immediate", _("Email right away")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("No email")


class NotificationAudience(models.TextChoices):
    PARTNER = "partner", _("Partner user")
    CUSTOMER = "customer", _("Customer global admin")
