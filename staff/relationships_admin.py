from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.http import AuthenticatedHttpRequest
from partners.authz import Actor
from relationships.ending import relationship_terminate
from relationships.models import AccessAssignment, DelegatedAdminGrant, GrantActionRequest, GrantOperation, Relationship
from relationships.services import grant_terminate
from staff.admin_tools import (
    AuditTrailMixin,
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    SupportActionsMixin,
    support_action,
)


@admin.register(Relationship)
class RelationshipAdmin(SupportActionsMixin, AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who resells to whom, since when. Operators may end a relationship, with a reason."""

    list_display = (
        "partner",
        "customer",
        "relationship_type",
        "status",
        "established_at",
        "established_by",
        "terminated_at",
    )
    list_filter = ("status", "relationship_type", ("established_at", admin.DateFieldListFilter))
    search_fields = ("partner__name", "partner__partner_id", "customer__company_name", "customer__primary_domain")
    date_hierarchy = "established_at"
    list_select_related = ("partner", "customer", "established_by__partner")
    raw_id_fields = ("partner", "customer", "established_by", "terminated_by", "indirect_provider")
    readonly_fields = ("audit_trail",)
    actions = ["terminate_relationships"]

    @support_action(
        description=_("Terminate selected relationships"),
        title=_("Terminate relationships"),
        consequence=_(
            "The partner stops being the customer's reseller. Its active delegated admin roles end with the "
            "relationship and pending requests are rejected. The partner and the customer are told."
        ),
        button=_("Terminate relationships"),
        done=lambda n: (
            ngettext("%(count)d relationship terminated.", "%(count)d relationships terminated.", n) % {"count": n}
        ),
    )
    def terminate_relationships(self, request: AuthenticatedHttpRequest, relationship: Relationship, reason: str) -> None:
        relationship_terminate(relationship=relationship, actor=Actor.staff(request.user), reason=reason)


class AccessAssignmentInline(ReadOnlyTabularInline):
    model = AccessAssignment
    fields = ("security_group", "partner_role", "roles", "updated_at")


class GrantActionRequestInline(ReadOnlyTabularInline):
    """lockForApproval / terminate requests made through the Graph-compatible API."""

    model = GrantActionRequest
    fields = ("action", "status", "requested_by", "created_at")


class GrantOperationInline(ReadOnlyTabularInline):
    """Changes after approval recorded as Graph operations (e.g. Global Administrator removed)."""

    model = GrantOperation
    fields = ("operation_type", "status", "data", "created_at")


@admin.register(DelegatedAdminGrant)
class DelegatedAdminGrantAdmin(SupportActionsMixin, AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Time-bound admin roles. Operators may remove an active grant's roles at once, with a reason."""

    list_display = (
        "display_name",
        "partner",
        "customer",
        "status",
        "duration_days",
        "auto_extend",
        "requested_at",
        "ends_at",
    )
    list_filter = ("status", "auto_extend", ("ends_at", admin.DateFieldListFilter))
    search_fields = (
        "display_name",
        "partner__name",
        "partner__partner_id",
        "customer__company_name",
        "customer__primary_domain",
    )
    date_hierarchy = "requested_at"
    list_select_related = ("partner", "customer")
    raw_id_fields = ("partner", "customer", "requested_by_invitation", "approved_by", "terminated_by")
    readonly_fields = ("audit_trail",)
    inlines = [AccessAssignmentInline, GrantActionRequestInline, GrantOperationInline]
    actions = ["terminate_grants"]

    @support_action(
        description=_("Terminate selected delegated admin grants"),
        title=_("Terminate delegated admin grants"),
        consequence=_(
            "The partner loses these admin roles in the customer's tenant on its very next request; the "
            "relationship stays. The partner and the customer are told."
        ),
        button=_("Terminate grants"),
        done=lambda n: ngettext("%(count)d grant terminated.", "%(count)d grants terminated.", n) % {"count": n},
    )
    def terminate_grants(self, request: AuthenticatedHttpRequest, grant: DelegatedAdminGrant, reason: str) -> None:
        grant_terminate(grant=grant, actor=Actor.staff(request.user), reason=reason)


@admin.register(AccessAssignment)
class AccessAssignmentAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which security group (or, for legacy rows, partner role) receives which of a grant's roles
    (edited by the partner's account admin)."""

    list_display = ("grant", "security_group", "partner_role", "role_list", "updated_at")
    list_filter = ("partner_role",)
    search_fields = ("grant__display_name", "grant__partner__name", "grant__customer__company_name", "security_group__name")
    list_select_related = ("grant", "security_group")
    raw_id_fields = ("grant", "security_group")
    date_hierarchy = "updated_at"
    readonly_fields = ("audit_trail",)

    @admin.display(description=_("directory roles"))
    def role_list(self, obj: AccessAssignment) -> str:
        return ", ".join(obj.role_names)
