from django.db import models
from django.utils.translation import gettext_lazy as _


class InvitationKind(models.TextChoices):
    RESELLER = "reseller", _("Reseller relationship")
    DELEGATED_ADMIN = "delegated_admin", _("Delegated admin for an existing customer")
    INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller relationship")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


INVITATION_TRANSITIONS = {
    InvitationStatus.PENDING: {
        InvitationStatus.ACCEPTED,
        InvitationStatus.DECLINED,
        InvitationStatus.CANCELLED,
        InvitationStatus.EXPIRED,
    },
}


class InvitationSource(models.TextChoices):
    REQUEST = "request", _("Request a reseller relationship")
    REUSABLE_LINK = "reusable_link", _("Reusable relationship link")


class LinkStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")
