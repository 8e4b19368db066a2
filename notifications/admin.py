from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications.models import MailboxMessage, OutboxMessage
from notifications.services import OutboxError, outbox_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Delivery state only: the sealed body is never shown, status changes go through services."""

    list_display = ("id", "kind", "recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at", "partner")
    list_filter = ("kind", "status", "template")
    search_fields = ("recipient", "subject", "idempotency_key")
    date_hierarchy = "created_at"
    raw_id_fields = ("partner", "customer")
    exclude = ("sealed_body",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields if f.name != "sealed_body"]
    actions = ["resend_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resend selected failed deliveries")
    def resend_failed(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        done = 0
        for message in queryset:
            try:
                outbox_resend(message=message, actor=request.user)  # type: ignore[arg-type]
                done += 1
            except OutboxError as error:
                self.message_user(request, f"#{message.pk}: {error.message}", messages.WARNING)
        self.message_user(request, f"{done} delivery(ies) queued again.", messages.SUCCESS)


@admin.register(MailboxMessage)
class MailboxMessageAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "to", "subject")
    search_fields = ("to", "subject")
