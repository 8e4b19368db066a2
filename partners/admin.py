from __future__ import annotations

from django.contrib import admin

from partners.models import Partner, PartnerMembership, PartnerUserInvitation


class PartnerMembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "roles", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "partner_id",
        "country",
        "market_region",
        "cloud",
        "partner_type",
        "verified_domain",
        "created_at",
    )
    list_filter = ("cloud", "partner_type", "market_region")
    search_fields = ("name", "partner_id", "verified_domain")
    date_hierarchy = "created_at"
    readonly_fields = ("market_region", "created_at")
    inlines = [PartnerMembershipInline]


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "partner", "roles", "created_at")
    search_fields = ("user__email", "partner__name", "partner__partner_id")
    list_select_related = ("user", "partner")
    raw_id_fields = ("user", "partner")
    date_hierarchy = "created_at"


@admin.register(PartnerUserInvitation)
class PartnerUserInvitationAdmin(admin.ModelAdmin):
    """Never shows the token hash; status changes go through partners.services."""

    list_display = ("email", "partner", "status", "roles", "invited_by", "created_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("email", "partner__name", "partner__partner_id")
    list_select_related = ("partner", "invited_by")
    raw_id_fields = ("partner", "invited_by", "accepted_by")
    date_hierarchy = "created_at"
    exclude = ("token_hash",)
    readonly_fields = (
        "status",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "cancelled_at",
        "expired_at",
    )
