"""The columns of the four list exports (issue 24, item 3), one definition each: the console's Export
buttons and `/api/v1/*/export` write the same file for the same filters.

Each function takes the rows its list's selector yields (workflows.customer_360.customer_rows_for_partner
annotated with tag names, invitations.selectors.invitation_list_for_partner,
relationships.selectors.grant_list_for_partner, servicerequests.selectors.service_request_list_for_partner)
and names its columns in the active language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from partnercenter.exports import ExportColumn, label


def customer_export_columns() -> list[ExportColumn]:
    def delegated_admin(row: Any) -> str:
        if row.has_active_grant:
            return _("Active")
        return _("Approval pending") if row.has_pending_grant else _("None")

    return [
        ExportColumn(_("Customer"), lambda r: r.customer.company_name),
        ExportColumn(_("Domain"), lambda r: r.customer.primary_domain),
        ExportColumn(_("Tenant ID"), lambda r: str(r.customer.tenant_id)),
        ExportColumn(_("Country"), lambda r: r.country_code),
        ExportColumn(_("Relationship"), lambda r: label(r, "relationship_type")),
        ExportColumn(_("Delegated admin"), delegated_admin),
        ExportColumn(_("Subscriptions"), lambda r: r.subscription_count),
        ExportColumn(_("Since"), lambda r: r.established_at),
        ExportColumn(_("Tags"), lambda r: r.tag_names or ""),
    ]


def invitation_export_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Invitation"), lambda i: i.pk),
        ExportColumn(_("Kind"), lambda i: label(i, "kind")),
        ExportColumn(_("Recipient"), lambda i: i.recipient_email or i.sent_to),
        ExportColumn(_("Domain"), lambda i: i.target_domain),
        ExportColumn(_("Customer"), lambda i: i.customer.company_name if i.customer else ""),
        ExportColumn(_("Status"), lambda i: label(i, "status")),
        ExportColumn(_("Email delivery"), lambda i: i.delivery_status or ""),
        ExportColumn(_("Created by"), lambda i: i.created_by.email if i.created_by else ""),
        ExportColumn(_("Created"), lambda i: i.created_at),
        ExportColumn(_("Expires"), lambda i: i.expires_at),
    ]


def grant_export_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Name"), lambda g: g.display_name),
        ExportColumn(_("Customer"), lambda g: g.customer.company_name),
        ExportColumn(_("Tenant ID"), lambda g: str(g.customer.tenant_id)),
        ExportColumn(_("Roles"), lambda g: ", ".join(str(name) for name in g.role_names)),
        ExportColumn(_("Status"), lambda g: label(g, "status")),
        ExportColumn(_("Auto-extend"), lambda g: _("Yes") if g.auto_extend else _("No")),
        ExportColumn(_("Requested"), lambda g: g.requested_at),
        ExportColumn(_("Ends"), lambda g: g.ends_at),
    ]


def service_request_export_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Request"), lambda r: r.number),
        ExportColumn(_("Title"), lambda r: r.title),
        ExportColumn(_("Customer"), lambda r: r.customer.company_name),
        ExportColumn(_("Tenant ID"), lambda r: str(r.customer.tenant_id)),
        ExportColumn(_("Severity"), lambda r: label(r, "severity")),
        ExportColumn(_("Status"), lambda r: label(r, "status")),
        ExportColumn(_("Notes"), lambda r: r.note_count),
        ExportColumn(_("Filed by"), lambda r: r.created_by_label),
        ExportColumn(_("Filed"), lambda r: r.created_at),
    ]
