"""Staff console for bulk invitations: what each batch was, how far its job got, and every row's outcome.

Read-only like the rest of the evidence: batches change only through their services. Rows are a
list of their own (a batch may hold 10,000), reached from the batch by a filtered link.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from invitation_batches.models import InvitationBatch, InvitationBatchRow
from staff.admin_tools import AuditTrailMixin, ReadOnlyAdminMixin


@admin.register(InvitationBatch)
class InvitationBatchAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    audit_trail_filter = "partner"
    list_display = ("id", "partner", "source", "filename", "status", "total_rows", "invalid_rows", "created_rows",
                    "failed_rows", "progress", "created_by", "created_at", "finished_at")
    list_filter = ("status", "source", ("created_at", admin.DateFieldListFilter))
    search_fields = ("filename", "partner__name", "partner__partner_id", "created_by__email")
    date_hierarchy = "created_at"
    list_select_related = ("partner", "created_by")
    readonly_fields = ("partner", "membership", "api_key", "created_by", "source", "filename", "status", "total_rows",
                       "invalid_rows", "done_rows", "created_rows", "failed_rows", "progress", "rows_link", "created_at",
                       "confirmed_at", "started_at", "finished_at", "audit_trail")
    fields = readonly_fields

    @admin.display(description=_("progress"))
    def progress(self, obj: InvitationBatch) -> str:
        return f"{obj.done_rows} / {obj.to_process} ({obj.percent} %)"

    @admin.display(description=_("rows"))
    def rows_link(self, obj: InvitationBatch) -> str:
        url = f"{reverse('admin:invitation_batches_invitationbatchrow_changelist')}?{urlencode({'batch__id__exact': obj.pk})}"
        return format_html('<a href="{}">{}</a>', url, _("Show the %(count)s rows") % {"count": obj.total_rows})


@admin.register(InvitationBatchRow)
class InvitationBatchRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("batch", "line", "status", "company", "recipient_email", "domain", "country", "invitation",
                    "error_code", "processed_at")
    list_filter = ("status", "batch__source")
    search_fields = ("recipient_email", "domain", "company", "batch__partner__name", "batch__partner__partner_id")
    list_select_related = ("batch", "invitation")
    raw_id_fields = ("batch", "invitation")
    # A changelist of a 10,000-row batch must not count the table on every page.
    show_full_result_count = False
    readonly_fields = ("batch", "line", "status", "company", "recipient_email", "domain", "country",
                       "include_delegated_admin", "role_bundle", "language", "errors", "notices", "invitation",
                       "error_code", "error_message", "processed_at")
    fields = readonly_fields
