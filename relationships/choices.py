from django.db import models
from django.utils.translation import gettext_lazy as _


class RelationshipType(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")


class RelationshipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TERMINATED = "terminated", _("Terminated")


class GrantStatus(models.TextChoices):
    CREATED = "created", _("Created (draft)")
    APPROVAL_PENDING = "approval_pending", _("Approval pending")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


GRANT_TRANSITIONS = {
    GrantStatus.CREATED: {GrantStatus.APPROVAL_PENDING},  # a draft may also be deleted
    GrantStatus.APPROVAL_PENDING: {GrantStatus.ACTIVE, GrantStatus.REJECTED, GrantStatus.EXPIRED},
    GrantStatus.ACTIVE: {GrantStatus.EXPIRED, GrantStatus.TERMINATED},
}


class GrantOperationStatus(models.TextChoices):
    NOT_STARTED = "notStarted", _("Not started")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class GrantOperationType(models.TextChoices):
    RELATIONSHIP_UPDATE = "delegatedAdminRelationshipUpdate", _("Relationship update")
    ACCESS_ASSIGNMENT_UPDATE = "delegatedAdminAccessAssignmentUpdate", _("Access assignment update")


class GrantRequestAction(models.TextChoices):
    LOCK_FOR_APPROVAL = "lockForApproval", _("Lock for approval")
    TERMINATE = "terminate", _("Terminate")


class GrantRequestStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
