from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.http import AuthenticatedHttpRequest
from invitations.closing import invitation_close_by_staff
from invitations.models import Invitation, RelationshipLink
from invitations.trust_services import invitation_report_review
from staff.admin_tools import AuditTrailMixin, ReadOnlyAdminMixin, SupportActionsMixin, support_action


class ReportFilter(admin.SimpleListFilter):
    """Invitations their recipients reported ("this was not me"), for staff review."""

    title = _("report")
    parameter_name = "report"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("to_review", _("Reported: needs review")), ("reviewed", _("Reported: reviewed")), ("any", _("Reported (all)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "to_review":
            return queryset.filter(reported_at__isnull=False, report_reviewed_at__isnull=True)
        if self.value() == "reviewed":
            return queryset.filter(report_reviewed_at__isnull=False)
        if self.value() == "any":
            return queryset.filter(reported_at__isnull=False)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(SupportActionsMixin, AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Evidence of what was asked and answered. Token material is never shown; no field is editable.

    Operators may cancel or expire a pending invitation (the link dies), with a reason.
    """

    list_display = (
        "id",
        "partner",
        "kind",
        "status",
        "recipient_email",
        "sent_to",
        "target_domain",
        "include_delegated_admin",
        "created_by",
        "created_at",
        "expires_at",
        "customer",
        "reported_at",
    )
    list_filter = (
        ReportFilter,
        "status",
        "kind",
        "source",
        "include_delegated_admin",
        "language",
        ("expires_at", admin.DateFieldListFilter),
    )
    search_fields = (
        "recipient_email",
        "sent_to",
        "target_domain",
        "partner__name",
        "partner__partner_id",
        "customer__company_name",
    )
    date_hierarchy = "created_at"
    list_select_related = ("partner", "created_by", "customer")
    raw_id_fields = (
        "partner",
        "created_by",
        "accepted_by",
        "declined_by",
        "cancelled_by",
        "report_reviewed_by",
        "customer",
        "indirect_provider",
    )
    exclude = ("token_nonce", "token_hash")
    readonly_fields = ("audit_trail",)
    actions = ["cancel_invitations", "expire_invitations", "review_reports"]

    @support_action(
        description=_("Mark reports as reviewed"),
        title=_("Review reported invitations"),
        consequence=_(
            "The reports leave the review queue. Say what you found (and what you did about the partner): it goes into the audit log."
        ),
        button=_("Mark reviewed"),
        done=lambda n: ngettext("%(count)d report reviewed.", "%(count)d reports reviewed.", n) % {"count": n},
    )
    def review_reports(self, request: AuthenticatedHttpRequest, invitation: Invitation, reason: str) -> None:
        invitation_report_review(invitation=invitation, staff_user=request.user, reason=reason)

    @support_action(
        description=_("Cancel selected invitations"),
        title=_("Cancel invitations"),
        consequence=_(
            "The links of these invitations stop working at once; the partner sees that platform staff cancelled them."
        ),
        button=_("Cancel invitations"),
        done=lambda n: (
            ngettext("%(count)d invitation cancelled.", "%(count)d invitations cancelled.", n) % {"count": n}
        ),
    )
    def cancel_invitations(self, request: AuthenticatedHttpRequest, invitation: Invitation, reason: str) -> None:
        invitation_close_by_staff(invitation=invitation, staff_user=request.user, reason=reason, expire=False)

    @support_action(
        description=_("Expire selected invitations"),
        title=_("Expire invitations"),
        consequence=_("These invitations expire now: their links stop working, as if their time had run out."),
        button=_("Expire invitations"),
        done=lambda n: ngettext("%(count)d invitation expired.", "%(count)d invitations expired.", n) % {"count": n},
    )
    def expire_invitations(self, request: AuthenticatedHttpRequest, invitation: Invitation, reason: str) -> None:
        invitation_close_by_staff(invitation=invitation, staff_user=request.user, reason=reason, expire=True)


@admin.register(RelationshipLink)
class RelationshipLinkAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("partner", "status", "include_delegated_admin", "created_at", "rotated_at", "revoked_at")
    list_filter = ("status", "include_delegated_admin")
    search_fields = ("partner__name", "partner__partner_id")
    list_select_related = ("partner",)
    date_hierarchy = "created_at"
    exclude = ("token_nonce", "token_hash")
    raw_id_fields = ("partner",)
    readonly_fields = ("audit_trail",)
