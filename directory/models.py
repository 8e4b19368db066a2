from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.choices import DirectoryUserStatus


class DirectoryUser(models.Model):
    """A user in the customer's directory (the tenant's people, not accounts of this portal).

    The user principal name is unique within the tenant, case-insensitively. Partners with the
    right delegated admin roles create and disable them; a disabled user keeps its history but
    cannot receive licenses.
    """

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="directory_users")
    display_name = models.CharField(_("display name"), max_length=200)
    user_principal_name = models.EmailField(_("user principal name"), max_length=254)
    status = models.CharField(_("status"), max_length=16, choices=DirectoryUserStatus.choices, default=DirectoryUserStatus.ACTIVE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory user")
        verbose_name_plural = _("directory users")
        ordering = ["customer", "display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "customer", Lower("user_principal_name"), name="directory_user_upn_unique_per_customer",
                violation_error_message=_("This tenant already has a user with this user principal name."),
            ),
            models.CheckConstraint(
                condition=~Q(status=DirectoryUserStatus.DISABLED) | Q(disabled_at__isnull=False),
                name="directory_user_disabled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.user_principal_name}>"


class LicenseAssignment(models.Model):
    """One seat of a subscription used by one directory user of the same customer.

    The number of rows per subscription never exceeds its quantity: assignments are made with
    the subscription row locked (directory.services.license_assign).
    """

    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.PROTECT, related_name="license_assignments")
    directory_user = models.ForeignKey(DirectoryUser, on_delete=models.CASCADE, related_name="license_assignments")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("license assignment")
        verbose_name_plural = _("license assignments")
        ordering = ["subscription", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "directory_user"], name="directory_one_license_per_user_subscription"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription.product_name} → {self.directory_user.user_principal_name}"
