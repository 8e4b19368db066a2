from __future__ import annotations

from django.contrib import admin

from invitations.models import Invitation, RelationshipLink


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Evidence of what was asked and answered. Token material is never shown; no field is editable."""

    list_display = ("id", "partner", "kind", "status", "recipient_email", "sent_to", "target_domain", "include_delegated_admin",
                    "created_by", "created_at", "expires_at", "customer")
    list_filter = ("status", "kind", "source", "include_delegated_admin", "language")
    search_fields = ("recipient_email", "sent_to", "target_domain", "partner__name", "partner__partner_id", "customer__company_name")
    date_hierarchy = "created_at"
    list_select_related = ("partner", "created_by", "customer")
    raw_id_fields = ("partner", "created_by", "accepted_by", "declined_by", "cancelled_by", "customer", "indirect_provider")
    exclude = ("token_nonce", "token_hash")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(RelationshipLink)
class RelationshipLinkAdmin(admin.ModelAdmin):
    list_display = ("partner", "status", "include_delegated_admin", "rotated_at", "revoked_at")
    list_filter = ("status",)
    search_fields = ("partner__name", "partner__partner_id")
    exclude = ("token_nonce", "token_hash")
    raw_id_fields = ("partner",)

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
