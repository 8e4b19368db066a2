from __future__ import annotations

from django.contrib import admin

from relationships.models import DelegatedAdminGrant, Relationship


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ("partner", "customer", "relationship_type", "status", "established_at", "established_by", "terminated_at")
    list_filter = ("status", "relationship_type")
    search_fields = ("partner__name", "partner__partner_id", "customer__company_name", "customer__primary_domain")
    date_hierarchy = "established_at"
    list_select_related = ("partner", "customer", "established_by")
    raw_id_fields = ("partner", "customer", "established_by", "terminated_by", "indirect_provider")
    readonly_fields = ("status", "established_at", "terminated_at", "terminated_by")


@admin.register(DelegatedAdminGrant)
class DelegatedAdminGrantAdmin(admin.ModelAdmin):
    list_display = ("display_name", "partner", "customer", "status", "duration_days", "auto_extend", "requested_at", "ends_at")
    list_filter = ("status", "auto_extend")
    search_fields = ("display_name", "partner__name", "customer__company_name")
    date_hierarchy = "requested_at"
    list_select_related = ("partner", "customer")
    raw_id_fields = ("partner", "customer", "requested_by_invitation", "approved_by", "terminated_by")
    readonly_fields = ("status", "requested_at", "starts_at", "ends_at", "approved_by", "terminated_at", "terminated_by")
