from __future__ import annotations

from django.contrib import admin

from directory.models import DirectoryUser, LicenseAssignment
from staff.admin_tools import ReadOnlyAdminMixin


@admin.register(DirectoryUser)
class DirectoryUserAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user_principal_name", "display_name", "customer", "status", "created_at")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("user_principal_name", "display_name", "customer__company_name", "customer__primary_domain")
    date_hierarchy = "created_at"
    list_select_related = ("customer",)
    raw_id_fields = ("customer", "created_by")


@admin.register(LicenseAssignment)
class LicenseAssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("directory_user", "subscription", "assigned_at", "assigned_by")
    search_fields = ("directory_user__user_principal_name", "subscription__customer__company_name")
    date_hierarchy = "assigned_at"
    list_select_related = ("directory_user", "subscription__customer", "assigned_by")
    raw_id_fields = ("subscription", "directory_user", "assigned_by")
