from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import SignInEvent, User
from customers.models import CustomerMembership
from partners.models import PartnerMembership
from staff.admin_tools import AuditTrailMixin, ReadOnlyAdminMixin, ReadOnlyTabularInline


class UserPartnerMembershipInline(ReadOnlyTabularInline):
    model = PartnerMembership
    fields = ("partner", "roles", "created_at")
    verbose_name_plural = _("partner memberships")


class UserCustomerMembershipInline(ReadOnlyTabularInline):
    model = CustomerMembership
    fields = ("customer", "role", "created_at")
    verbose_name_plural = _("customer memberships")


@admin.register(User)
class UserAdmin(AuditTrailMixin, DjangoUserAdmin):
    """Staff accounts are managed here by superusers; the memberships show where a user works."""

    audit_trail_filter = "actor"
    ordering = ("email",)
    list_display = ("email", "full_name", "preferred_language", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "preferred_language", "groups")
    search_fields = ("email", "full_name")
    date_hierarchy = "date_joined"
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
        (_("Audit"), {"fields": ("audit_trail",)}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined", "audit_trail")
    inlines = [UserPartnerMembershipInline, UserCustomerMembershipInline]

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []


# allauth's Authenticator admin shows `data`, which holds the TOTP secret and recovery codes.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Which second factors a user has set up. The secret material (`data`) is never shown.

    Superusers may delete an authenticator (a user who lost their device sets TOTP up again).
    """

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    exclude = ("data",)
    readonly_fields = ("user", "type", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    """allauth's admin; its "mark as verified" action is for superusers only (auditors only look)."""

    list_select_related = ("user",)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("make_verified", None)
        return actions


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sign-in log (written from allauth's signals only): read-only for everyone, superusers included.
    Failed attempts for addresses that match no account are only visible here."""

    list_display = ("at", "email", "user", "succeeded", "failure", "mfa_used", "mfa_type", "ip_address")
    list_filter = ("succeeded", "failure", "mfa_used", "mfa_type")
    search_fields = ("email", "user__email", "ip_address")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "at"
