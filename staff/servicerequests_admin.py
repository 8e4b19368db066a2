from django.contrib import admin

from servicerequests.models import ServiceRequest, ServiceRequestNote


class ServiceRequestNoteInline(admin.TabularInline):
    model = ServiceRequestNote
    extra = 0
    fields = ("created_at", "side", "author_label", "body")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Support console view; changes go through the partner's console (services), so read-only here."""

    list_display = ("__str__", "partner", "customer", "severity", "status", "created_at", "closed_at")
    list_filter = ("status", "severity")
    search_fields = ("title", "customer__company_name", "partner__name", "partner__partner_id")
    date_hierarchy = "created_at"
    raw_id_fields = ("partner", "customer", "created_by")
    readonly_fields = ("partner", "customer", "title", "description", "severity", "status", "created_by", "created_by_label",
                       "created_at", "updated_at", "status_changed_at", "closed_at")
    inlines = [ServiceRequestNoteInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
