from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.choices import PartnerRole
from partners.domain_services import partner_domain_verify_by_staff
from partners.models import (
    ApiIdempotencyKey,
    ApiKey,
    Partner,
    PartnerMembership,
    PartnerSecurityGroup,
    PartnerUserInvitation,
)
from partners.services import partner_create, partner_membership_remove_by_staff
from staff.admin_tools import (
    AuditTrailMixin,
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    SupportActionsMixin,
    support_action,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.http import AuthenticatedHttpRequest


class RoleFilter(admin.SimpleListFilter):
    title = _("partner role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return list(PartnerRole.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in PartnerRole.values:
            # Text match on the JSON list: works on PostgreSQL and on SQLite (embedded mode).
            return queryset.filter(roles__icontains=f'"{self.value()}"')
        return queryset


class PartnerMembershipInline(ReadOnlyTabularInline):
    model = PartnerMembership
    fields = ("user", "roles", "created_at")


@admin.register(Partner)
class PartnerAdmin(SupportActionsMixin, AuditTrailMixin, admin.ModelAdmin):
    """Partners are created here through `partner_create` (audited, market region derived);
    afterwards the page is read-only: a partner's data changes through its own services."""

    audit_trail_filter = "partner"
    list_display = (
        "name",
        "partner_id",
        "country",
        "market_region",
        "cloud",
        "partner_type",
        "verified_domain",
        "domain_verified",
        "mfa_required",
        "created_at",
    )
    list_filter = ("cloud", "partner_type", "market_region", "country", "domain_proof_method", "mfa_required")
    search_fields = ("name", "partner_id", "verified_domain")
    date_hierarchy = "created_at"
    inlines = [PartnerMembershipInline]
    add_fields = ("name", "partner_id", "country", "cloud", "partner_type", "verified_domain")
    readonly_fields = ("audit_trail",)
    actions = ["verify_domains"]

    @admin.display(description=_("domain verified"), boolean=True)
    def domain_verified(self, obj: Partner) -> bool:
        return obj.domain_is_verified

    @support_action(
        description=_("Mark the domain as verified (staff check)"),
        title=_("Verify partner domains"),
        consequence=_(
            "Customers will see these partners' domains with a verified badge. Do this only after confirming "
            "the partner controls the domain (for example from a signed contract or a call to a known number)."
        ),
        button=_("Mark verified"),
        done=lambda n: ngettext("%(count)d domain verified.", "%(count)d domains verified.", n) % {"count": n},
    )
    def verify_domains(self, request: AuthenticatedHttpRequest, partner: Partner, reason: str) -> None:
        partner_domain_verify_by_staff(partner=partner, staff_user=request.user, reason=reason)

    def get_fields(self, request: HttpRequest, obj: Partner | None = None) -> Any:
        if obj is None:
            return self.add_fields
        return [*super().get_fields(request, obj)]

    def get_inline_instances(self, request: HttpRequest, obj: Partner | None = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        assert request.user.is_authenticated  # the staff console signs staff in first
        data = form.cleaned_data
        created = partner_create(
            name=data["name"],
            country=str(data["country"]),
            cloud=data["cloud"],
            partner_type=data["partner_type"],
            verified_domain=data["verified_domain"],
            partner_id=data.get("partner_id") or None,
            actor=request.user,
        )
        obj.pk = created.pk
        obj.market_region = created.market_region
        obj._state.adding = False


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(SupportActionsMixin, AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who works for which partner. Roles change in the partner console; staff may only disable."""

    list_display = ("user", "partner", "role_list", "created_at")
    list_filter = (RoleFilter, "partner__cloud")
    search_fields = ("user__email", "user__full_name", "partner__name", "partner__partner_id")
    list_select_related = ("user", "partner")
    raw_id_fields = ("user", "partner")
    date_hierarchy = "created_at"
    readonly_fields = ("audit_trail",)
    actions = ["disable_partner_users"]

    @admin.display(description=_("roles"))
    def role_list(self, obj: PartnerMembership) -> str:
        return ", ".join(obj.role_labels)

    @support_action(
        description=_("Disable selected partner users (remove from the partner)"),
        title=_("Disable partner users"),
        consequence=_(
            "These users lose access to the partner console at once; their past actions stay in the audit log. "
            "A partner always keeps at least one account admin."
        ),
        button=_("Disable users"),
        done=lambda n: (
            ngettext("%(count)d partner user disabled.", "%(count)d partner users disabled.", n) % {"count": n}
        ),
    )
    def disable_partner_users(self, request: AuthenticatedHttpRequest, membership: PartnerMembership, reason: str) -> None:
        partner_membership_remove_by_staff(membership=membership, staff_user=request.user, reason=reason)


@admin.register(PartnerUserInvitation)
class PartnerUserInvitationAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Never shows the token hash; status changes go through partners.services."""

    list_display = ("email", "partner", "status", "roles", "invited_by", "created_at", "expires_at")
    list_filter = ("status", "language")
    search_fields = ("email", "partner__name", "partner__partner_id")
    list_select_related = ("partner", "invited_by")
    raw_id_fields = ("partner", "invited_by", "accepted_by")
    date_hierarchy = "created_at"
    exclude = ("token_hash",)
    readonly_fields = ("audit_trail",)


@admin.register(ApiKey)
class ApiKeyAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A partner's API credentials: the display prefix only, never the key hash."""

    list_display = (
        "name",
        "partner",
        "prefix",
        "key_status",
        "scope_list",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), ("expires_at", admin.DateFieldListFilter))
    search_fields = ("name", "prefix", "partner__name", "partner__partner_id")
    list_select_related = ("partner", "created_by")
    raw_id_fields = ("partner", "created_by", "revoked_by")
    date_hierarchy = "created_at"
    exclude = ("key_hash",)
    readonly_fields = ("audit_trail",)

    @admin.display(description=_("status"))
    def key_status(self, obj: ApiKey) -> str:
        return obj.status

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)


@admin.register(ApiIdempotencyKey)
class ApiIdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The stored first responses of API create requests (kept for API_IDEMPOTENCY_TTL_HOURS).
    The sealed body (it can hold a live link or a webhook secret) is never shown."""

    list_display = ("key", "partner", "method", "path", "response_status", "created_at")
    exclude = ("response_sealed",)
    list_filter = ("method", "response_status")
    search_fields = ("key", "path", "partner__name", "partner__partner_id")
    list_select_related = ("partner",)
    raw_id_fields = ("partner",)
    date_hierarchy = "created_at"


@admin.register(PartnerSecurityGroup)
class PartnerSecurityGroupAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A partner's security groups (issue 23), read-only: account admins manage them in Partner settings
    or through the API (partners.security_group_services)."""

    list_display = ("name", "partner", "object_id", "follows_partner_role", "member_count", "created_at")
    list_select_related = ("partner",)
    search_fields = ("name", "object_id", "partner__name", "partner__partner_id")
    fields = ("partner", "name", "description", "object_id", "follows_partner_role", "member_list", "created_at", "updated_at", "audit_trail")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PartnerSecurityGroup]:
        return super().get_queryset(request).annotate(members_total=Count("members"))

    @admin.display(description=_("members"), ordering="members_total")
    def member_count(self, obj: PartnerSecurityGroup) -> int:
        return getattr(obj, "members_total", 0)

    @admin.display(description=_("members"))
    def member_list(self, obj: PartnerSecurityGroup) -> str:
        return ", ".join(obj.members.select_related("user").order_by("user__email").values_list("user__email", flat=True)) or "—"
