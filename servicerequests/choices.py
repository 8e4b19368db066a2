from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MODERATE = "moderate", _("Moderate")
    LOW = "low", _("Low")


class ServiceRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    ATTENTION_NEEDED = "attention_needed", _("Attention needed")
    CLOSED = "closed", _("Closed")


# open → in_progress → closed | attention_needed; attention_needed goes back to work or closes.
# A closed request stays closed (file a new one): its history is the evidence.
SERVICE_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    ServiceRequestStatus.OPEN: frozenset({ServiceRequestStatus.IN_PROGRESS, ServiceRequestStatus.ATTENTION_NEEDED,
                                          ServiceRequestStatus.CLOSED}),
    ServiceRequestStatus.IN_PROGRESS: frozenset({ServiceRequestStatus.ATTENTION_NEEDED, ServiceRequestStatus.CLOSED}),
    ServiceRequestStatus.ATTENTION_NEEDED: frozenset({ServiceRequestStatus.IN_PROGRESS, ServiceRequestStatus.CLOSED}),
    ServiceRequestStatus.CLOSED: frozenset(),
}


class NoteSide(models.TextChoices):
    PARTNER = "partner", _("Partner")
    CUSTOMER = "customer", _("Customer")
