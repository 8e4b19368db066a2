from __future__ import annotations

import abc
import uuid
from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction
from audit.exports import audit_csv_response
from audit.formatting import data_json, target_type_label
from audit.models import AuditEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "code"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return list(AuditAction.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(action=self.value()) if self.value() else queryset


class InputFilter(admin.SimpleListFilter, abc.ABC):
    """A filter typed into a text box (tenants and users are too many for a list of links)."""

    template = "admin/input_filter.html"
    placeholder: StrOrPromise = ""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]  # non-empty, so the filter is shown; the box replaces the links

    def choices(self, changelist: Any) -> Any:
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "placeholder": self.placeholder,
            "hidden": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key != self.parameter_name
                for value in values
            ],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = (self.value() or "").strip()
        return self.filter(queryset, value) if value else queryset

    @abc.abstractmethod
    def filter(self, queryset: QuerySet[AuditEvent], value: str) -> QuerySet[AuditEvent]:
        """Narrow `queryset` to the events matching the typed `value` (each subclass says how)."""


class PartnerFilter(InputFilter):
    title = _("partner")
    parameter_name = "partner"
    placeholder = _("Partner ID")

    def filter(self, queryset: QuerySet[AuditEvent], value: str) -> QuerySet[AuditEvent]:
        return queryset.filter(partner__partner_id=value)


class CustomerFilter(InputFilter):
    title = _("customer")
    parameter_name = "customer"
    placeholder = _("Tenant ID or primary domain")

    def filter(self, queryset: QuerySet[AuditEvent], value: str) -> QuerySet[AuditEvent]:
        try:
            return queryset.filter(customer__tenant_id=uuid.UUID(value))
        except ValueError:
            return queryset.filter(customer__primary_domain__iexact=value)


class ActorFilter(InputFilter):
    title = _("actor")
    parameter_name = "actor"
    placeholder = _("Email address")

    def filter(self, queryset: QuerySet[AuditEvent], value: str) -> QuerySet[AuditEvent]:
        return queryset.filter(actor_label__iexact=value)


class TargetFilter(InputFilter):
    title = _("target")
    parameter_name = "target"
    placeholder = _("type:id, e.g. invitations.invitation:42")

    def filter(self, queryset: QuerySet[AuditEvent], value: str) -> QuerySet[AuditEvent]:
        target_type, _sep, target_id = value.partition(":")
        queryset = queryset.filter(target_type=target_type.strip().lower())
        return queryset.filter(target_id=target_id.strip()) if target_id.strip() else queryset


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (`SELECT count(*) FROM (... LIMIT n)`): the changelist of a
    10-million-row log must not count it all on every page. Past the cap, narrow with the filters."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        return cast("QuerySet[AuditEvent]", self.object_list)[: self.COUNT_CAP + 1].count()  # the admin's QuerySet


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the audit log is append-only.

    Filters narrow by action, partner, customer, actor, target and date; "Export CSV" streams
    exactly the filtered list (audit.exports).
    """

    list_display = (
        "occurred_at",
        "actor_label",
        "action_display",
        "target_display",
        "partner",
        "customer",
        "ip_address",
        "request_id",
    )
    list_filter = (
        PartnerFilter,
        CustomerFilter,
        ActorFilter,
        ("occurred_at", admin.DateFieldListFilter),
        ActionFilter,
        TargetFilter,
    )
    search_fields = ("actor_label", "target_label", "target_id", "request_id")
    # No date_hierarchy: its year/month links run SELECT DISTINCT over every event's date; the
    # occurred_at list filter above narrows by date from the index instead.
    list_select_related = ("partner", "customer")
    raw_id_fields = ("actor", "partner", "customer")
    # The log grows without bound: no COUNT(*) over the whole table on every page (the filtered
    # count stops at CappedCountPaginator.COUNT_CAP), no facet counts.
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None
    readonly_fields = ("action_display", "target_display", "data_display")
    fieldsets = (
        (None, {"fields": ("occurred_at", "action_display", "actor_label", "actor")}),
        (_("Target"), {"fields": ("target_display", "target_type", "target_id", "partner", "customer")}),
        (_("Change"), {"fields": ("data_display",)}),
        (_("Request"), {"fields": ("ip_address", "user_agent", "request_id")}),
    )

    class Media:
        css = {"all": ("audit/admin.css",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, obj: AuditEvent) -> str:
        return format_html("{} <code>{}</code>", obj.action_label, obj.action)

    @admin.display(description=_("target"))
    def target_display(self, obj: AuditEvent) -> str:
        if not obj.target_type:
            return "—"
        return format_html("{}: {}", target_type_label(obj.target_type), obj.target_label or obj.target_id)

    @admin.display(description=_("data"))
    def data_display(self, obj: AuditEvent) -> str:
        return format_html("<pre>{}</pre>", data_json(obj.data))

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """The filtered changelist as CSV, streamed (the same filters, search and ordering)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:audit_auditevent_changelist") + "?e=1")
        filename = f"audit-events-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
        return audit_csv_response(changelist.queryset, filename=filename)
