from __future__ import annotations

from django.contrib import admin

from staff.admin_tools import AuditTrailMixin, ReadOnlyAdminMixin
from subscriptions.models import Subscription, SupportContact


@admin.register(Subscription)
class SubscriptionAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which partner placed what for which customer. Changes go through the partner console's services."""

    list_display = ("product_sku", "customer", "partner", "quantity", "status", "created_at", "suspended_at")
    list_filter = ("status", "product_sku", ("created_at", admin.DateFieldListFilter))
    search_fields = ("customer__company_name", "customer__primary_domain", "partner__name", "partner__partner_id")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "partner")
    raw_id_fields = ("partner", "customer", "created_by")
    readonly_fields = ("audit_trail",)


@admin.register(SupportContact)
class SupportContactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subscription", "user", "assigned_at", "assigned_by")
    search_fields = ("user__email", "subscription__customer__company_name")
    date_hierarchy = "assigned_at"
    list_select_related = ("subscription__customer", "user", "assigned_by")
    raw_id_fields = ("subscription", "user", "assigned_by")
