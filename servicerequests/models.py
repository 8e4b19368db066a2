from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicerequests.choices import NoteSide, ServiceRequestStatus, Severity


class ServiceRequest(models.Model):
    """A support ticket a partner filed on a customer's behalf (as Partner Center lets it).

    Belongs to one partner and one customer; the customer's admin center shows it read-only
    plus notes. Status moves only along servicerequests.choices.SERVICE_REQUEST_TRANSITIONS,
    each move a conditional update; `closed_at` is set exactly when the request is closed.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="service_requests")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="service_requests")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.MODERATE)
    status = models.CharField(_("status"), max_length=20, choices=ServiceRequestStatus.choices, default=ServiceRequestStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_label = models.CharField(_("filed by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status", "created_at"], name="servicereq_partner_status"),
            models.Index(fields=["customer", "created_at"], name="servicereq_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ServiceRequestStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=ServiceRequestStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="servicerequests_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"SR-{self.pk} {self.title}"

    @property
    def number(self) -> str:
        return f"SR-{self.pk}"


class ServiceRequestNote(models.Model):
    """One message in a service request's thread, written by the partner or the customer. Never edited."""

    service_request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="notes")
    side = models.CharField(_("side"), max_length=16, choices=NoteSide.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author_label = models.CharField(_("author"), max_length=254)
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("service request note")
        verbose_name_plural = _("service request notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.service_request} · {self.author_label}"
