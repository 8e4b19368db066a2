from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership
from customers.services import customer_create
from relationships.models import DelegatedAdminGrant, Relationship
from staff.admin_tools import AuditTrailMixin, ReadOnlyAdminMixin, ReadOnlyTabularInline


class CustomerMembershipInline(ReadOnlyTabularInline):
    model = CustomerMembership
    fields = ("user", "role", "created_at")


class CustomerRelationshipInline(ReadOnlyTabularInline):
    model = Relationship
    fk_name = "customer"
    fields = ("partner", "relationship_type", "status", "established_at", "terminated_at")


class CustomerGrantInline(ReadOnlyTabularInline):
    model = DelegatedAdminGrant
    fk_name = "customer"
    fields = ("display_name", "partner", "status", "duration_days", "requested_at", "ends_at")


@admin.register(Customer)
class CustomerAdmin(AuditTrailMixin, admin.ModelAdmin):
    """Tenants are created here through `customer_create` (audited, domain unique per cloud);
    afterwards the page is read-only, with the tenant's users, partners and admin grants."""

    audit_trail_filter = "customer"
    list_display = ("company_name", "primary_domain", "country", "cloud", "language", "created_at")
    list_filter = ("cloud", "language", "country")
    search_fields = ("company_name", "primary_domain", "tenant_id")
    date_hierarchy = "created_at"
    readonly_fields = ("tenant_id", "created_at", "audit_trail")
    add_fields = ("company_name", "primary_domain", "country", "cloud", "language")
    inlines = [CustomerMembershipInline, CustomerRelationshipInline, CustomerGrantInline]

    def get_fields(self, request: HttpRequest, obj: Customer | None = None) -> Any:
        if obj is None:
            return self.add_fields
        return [*super().get_fields(request, obj)]

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_inline_instances(self, request: HttpRequest, obj: Customer | None = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        assert request.user.is_authenticated  # the staff console signs staff in first
        data = form.cleaned_data
        created = customer_create(
            company_name=data["company_name"],
            primary_domain=data["primary_domain"],
            country=str(data["country"]),
            cloud=data["cloud"],
            language=data["language"],
            actor=request.user,
        )
        obj.pk = created.pk
        obj.tenant_id = created.tenant_id
        obj.primary_domain = created.primary_domain
        obj._state.adding = False


@admin.register(CustomerMembership)
class CustomerMembershipAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "customer", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "customer__company_name", "customer__primary_domain")
    raw_id_fields = ("user", "customer")
    list_select_related = ("user", "customer")
    date_hierarchy = "created_at"
    readonly_fields = ("audit_trail",)


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    """New versions are added here; a version someone accepted is evidence and no longer changes."""

    list_display = ("title", "version", "language", "effective_at")
    list_filter = ("language", "version")
    search_fields = ("title", "version")
    date_hierarchy = "effective_at"

    def has_change_permission(self, request: HttpRequest, obj: AgreementVersion | None = None) -> bool:
        if obj is not None and obj.acceptances.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: AgreementVersion | None = None) -> bool:
        if obj is None or obj.acceptances.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "customer",
        "agreement",
        "acceptor_kind",
        "signer_name",
        "signer_email",
        "accepted_at",
        "ip_address",
    )
    list_filter = ("acceptor_kind", "agreement__version")
    search_fields = ("customer__company_name", "signer_email", "signer_name")
    list_select_related = ("customer", "agreement")
    raw_id_fields = ("customer", "user", "partner", "agreement")
    date_hierarchy = "accepted_at"
