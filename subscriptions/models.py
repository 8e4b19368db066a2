from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subscriptions.catalog import SKU_CHOICES, product_for
from subscriptions.choices import SubscriptionStatus


class Subscription(models.Model):
    """A product the partner placed for the customer, with its purchased quantity (seats).

    Belongs to the partner that placed it: another partner of the same customer never sees it.
    `active` subscriptions can have licenses assigned up to `quantity`; `suspended` ones keep
    their assignments but take no new ones, and no longer block removing the relationship.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="subscriptions")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="subscriptions")
    product_sku = models.CharField(_("product"), max_length=64, choices=SKU_CHOICES)
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE)
    created_at = models.DateTimeField(_("provisioned at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["customer", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="subscriptions_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status=SubscriptionStatus.SUSPENDED) | Q(suspended_at__isnull=False),
                name="subscriptions_suspended_has_time",
            ),
        ]
        indexes = [models.Index(fields=["partner", "customer", "status"], name="subscription_partner_customer")]

    def __str__(self) -> str:
        return f"{self.product_name}, quantity {self.quantity} ({self.customer.company_name})"

    @property
    def product(self):
        return product_for(self.product_sku)

    @property
    def product_name(self) -> str:
        product = self.product
        return str(product.name) if product else self.product_sku

    @property
    def licensable(self) -> bool:
        product = self.product
        return bool(product and product.licensable)


class SupportContact(models.Model):
    """The partner user the customer should turn to for this subscription (one per subscription)."""

    subscription = models.OneToOneField(Subscription, on_delete=models.CASCADE, related_name="support_contact")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact"))
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("support contact")
        verbose_name_plural = _("support contacts")
        ordering = ["subscription"]

    def __str__(self) -> str:
        return f"{self.user} for {self.subscription}"
