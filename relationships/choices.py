from django.db import models
from django.utils.translation import gettext_lazy as _


class RelationshipType(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")


class RelationshipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TERMINATED = "terminated", _("Terminated")


class GrantStatus(models.TextChoices):
    APPROVAL_PENDING = "approval_pending", _("Approval pending")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


GRANT_TRANSITIONS = {
    GrantStatus.APPROVAL_PENDING: {GrantStatus.ACTIVE, GrantStatus.REJECTED, GrantStatus.EXPIRED},
    GrantStatus.ACTIVE: {GrantStatus.EXPIRED, GrantStatus.TERMINATED},
}
