from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the audit log is append-only."""

    list_display = (
        "occurred_at",
        "actor_label",
        "action",
        "target_label",
        "partner",
        "customer",
        "ip_address",
        "request_id",
    )
    list_filter = ("action", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "target_label", "target_id", "request_id")
    date_hierarchy = "occurred_at"
    list_select_related = ("partner", "customer")
    raw_id_fields = ("actor", "partner", "customer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
