from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from customers.choices import AgreementAcceptor, CustomerRole, CustomerStatus
from partners.choices import Cloud


class Customer(models.Model):
    """A customer tenant: a company with its own directory in one cloud.

    The primary domain is unique within a cloud (case-insensitive). `tenant_id` is the public
    identifier used in URLs and the API; the integer pk never leaves the system.
    """

    tenant_id = models.UUIDField(_("tenant ID"), default=uuid.uuid4, unique=True, editable=False)
    company_name = models.CharField(_("company name"), max_length=200)
    primary_domain = models.CharField(_("primary domain"), max_length=253)
    country = CountryField(_("country"))
    cloud = models.CharField(_("cloud"), max_length=16, choices=Cloud.choices, default=Cloud.PUBLIC)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Created by a partner ("Create a new customer"): pending until its first global admin accepts
    # the partner's invitation (workflows.customer_creation binds that invitation to this row).
    status = models.CharField(_("status"), max_length=24, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    created_by_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by partner")
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["company_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("primary_domain"),
                "cloud",
                name="customers_domain_unique_per_cloud",
                violation_error_message=_("A customer with this domain already exists in this cloud."),
            ),
        ]
        # A big partner's Customers page in name order (the default) walks this index and stops after
        # a page, instead of sorting all of the partner's customers (issue 25: 100,000 customers).
        indexes = [models.Index(fields=["company_name", "id"], name="customer_name_order")]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.primary_domain})"


class CustomerMembership(models.Model):
    """A user's role in a customer tenant. Only a `global_admin` may accept partner requests."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_memberships")
    role = models.CharField(_("role"), max_length=16, choices=CustomerRole.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer membership")
        verbose_name_plural = _("customer memberships")
        ordering = ["customer", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="customers_membership_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.customer.company_name} ({self.role})"


class AgreementVersion(models.Model):
    """One language's text of one version of the customer agreement.

    The current version is the latest `effective_at` not in the future; each version has a
    text per language, and a customer accepts a version (in the language it read).
    """

    version = models.CharField(_("version"), max_length=32)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    effective_at = models.DateTimeField(_("effective at"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["-effective_at", "language"]
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="customers_agreement_version_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version} ({self.language})"


class AgreementAcceptance(models.Model):
    """Evidence that a customer accepted an agreement version.

    Either a customer user accepted it (during the acceptance of a partner's request) or a
    partner user attested that the customer accepted it (`accepted_at` then is the date the
    customer signed, never in the future). IP and user agent are those of the request.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="agreement_acceptances")
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="acceptances")
    acceptor_kind = models.CharField(_("accepted by"), max_length=24, choices=AgreementAcceptor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signer_name = models.CharField(_("signer name"), max_length=200)
    signer_email = models.EmailField(_("signer email"))
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        ordering = ["-accepted_at"]
        indexes = [models.Index(fields=["customer", "agreement"], name="customers_acceptance_lookup")]

    def __str__(self) -> str:
        return f"{self.customer} accepted {self.agreement}"
