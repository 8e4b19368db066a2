from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.http import AuthenticatedHttpRequest
from notifications.models import MailboxMessage, OutboxMessage, WebhookDelivery, WebhookSubscription
from notifications.services import outbox_resend
from partners.webhook_services import webhook_delivery_redeliver_by_staff
from staff.admin_tools import AuditTrailMixin, ReadOnlyAdminMixin, SupportActionsMixin, support_action


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SupportActionsMixin, AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delivery state only: the sealed body is never shown, status changes go through services."""

    list_display = (
        "id",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "topic",
        "partner",
    )
    list_filter = ("status", "kind", "template", ("created_at", admin.DateFieldListFilter))
    search_fields = ("recipient", "subject", "topic", "idempotency_key")
    date_hierarchy = "created_at"
    list_select_related = ("partner",)
    raw_id_fields = ("partner", "customer")
    exclude = ("sealed_body",)
    readonly_fields = ("audit_trail",)
    actions = ["redeliver_failed"]

    @support_action(
        description=_("Redeliver selected failed emails"),
        title=_("Redeliver failed emails"),
        consequence=_(
            "These emails are queued again with a fresh attempt budget. Only failed deliveries can be redelivered."
        ),
        button=_("Redeliver"),
        done=lambda n: ngettext("%(count)d email queued again.", "%(count)d emails queued again.", n) % {"count": n},
    )
    def redeliver_failed(self, request: AuthenticatedHttpRequest, message: OutboxMessage, reason: str) -> None:
        outbox_resend(message=message, actor=request.user, reason=reason)


@admin.register(MailboxMessage)
class MailboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The embedded-mode mailbox. Bodies carry live links, so admin shows only who got what, when."""

    list_display = ("sent_at", "to", "subject")
    search_fields = ("to", "subject")
    date_hierarchy = "sent_at"
    exclude = ("text_body", "html_body", "headers")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A partner's webhook endpoints. The signing secrets (sealed) are never shown."""

    list_display = ("url", "partner", "active", "event_list", "consecutive_failures", "disabled_at", "created_at")
    list_filter = ("active", ("disabled_at", admin.EmptyFieldListFilter))
    search_fields = ("url", "description", "partner__name", "partner__partner_id")
    list_select_related = ("partner",)
    raw_id_fields = ("partner", "created_by")
    date_hierarchy = "created_at"
    exclude = ("sealed_secret", "previous_sealed_secret")
    readonly_fields = ("audit_trail",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("event types"))
    def event_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.event_types)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SupportActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """One event posted to one endpoint, and how it went (the body is the signed payload, no secret)."""

    actions = ["redeliver"]
    list_display = (
        "event_type",
        "event_id",
        "subscription",
        "partner",
        "status",
        "attempts",
        "response_status",
        "created_at",
    )
    list_filter = ("status", "event_type", ("created_at", admin.DateFieldListFilter))
    search_fields = ("event_id", "event_type", "subscription__url", "partner__name", "partner__partner_id")
    list_select_related = ("subscription", "partner")
    raw_id_fields = ("subscription", "partner")
    date_hierarchy = "created_at"

    @support_action(
        description=_("Redeliver selected webhook deliveries"),
        title=_("Redeliver webhook deliveries"),
        consequence=_("These events are posted again to their endpoints, signed with the current secret."),
        button=_("Redeliver"),
        done=lambda n: ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", n) % {"count": n},
    )
    def redeliver(self, request: AuthenticatedHttpRequest, delivery: WebhookDelivery, reason: str) -> None:
        webhook_delivery_redeliver_by_staff(delivery=delivery, staff_user=request.user, reason=reason)
