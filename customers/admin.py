from __future__ import annotations

from django.contrib import admin

from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership


class CustomerMembershipInline(admin.TabularInline):
    model = CustomerMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("company_name", "primary_domain", "country", "cloud", "language", "created_at")
    list_filter = ("cloud", "language")
    search_fields = ("company_name", "primary_domain", "tenant_id")
    date_hierarchy = "created_at"
    readonly_fields = ("tenant_id", "created_at")
    inlines = [CustomerMembershipInline]


@admin.register(CustomerMembership)
class CustomerMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "customer", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "customer__company_name", "customer__primary_domain")
    raw_id_fields = ("user", "customer")
    list_select_related = ("user", "customer")


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = ("title", "version", "language", "effective_at")
    list_filter = ("language",)
    search_fields = ("title", "version")
    date_hierarchy = "effective_at"


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(admin.ModelAdmin):
    list_display = (
        "customer",
        "agreement",
        "acceptor_kind",
        "signer_name",
        "signer_email",
        "accepted_at",
        "ip_address",
    )
    list_filter = ("acceptor_kind",)
    search_fields = ("customer__company_name", "signer_email", "signer_name")
    raw_id_fields = ("customer", "user", "partner", "agreement")
    date_hierarchy = "accepted_at"

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
