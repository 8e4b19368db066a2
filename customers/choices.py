from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerRole(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global admin")
    BILLING_ADMIN = "billing_admin", _("Billing admin")
    USER = "user", _("User")


class AgreementAcceptor(models.TextChoices):
    CUSTOMER_USER = "customer_user", _("Customer user")
    PARTNER_ATTESTATION = "partner_attestation", _("Partner attestation")


class CustomerStatus(models.TextChoices):
    """A partner may create a customer before anyone signs in: it waits for its first global admin."""

    ACTIVE = "active", _("Active")
    PENDING_ACCEPTANCE = "pending_acceptance", _("Waiting for its admin to accept")
