from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cloud(models.TextChoices):
    PUBLIC = "public", _("Public cloud")
    US_GOV = "us_gov", _("US Government cloud")
    GERMANY = "germany", _("Germany cloud (legacy)")


SOVEREIGN_CLOUDS = frozenset({Cloud.US_GOV, Cloud.GERMANY})


class PartnerType(models.TextChoices):
    DIRECT_BILL = "direct_bill", _("Direct bill partner")
    INDIRECT_PROVIDER = "indirect_provider", _("Indirect provider")
    INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")


class PartnerRole(models.TextChoices):
    ACCOUNT_ADMIN = "account_admin", _("Account admin")
    ADMIN_AGENT = "admin_agent", _("Admin agent")
    SALES_AGENT = "sales_agent", _("Sales agent")
    HELPDESK_AGENT = "helpdesk_agent", _("Helpdesk agent")
    BILLING_ADMIN = "billing_admin", _("Billing admin")


PARTNER_ROLE_DESCRIPTIONS = {
    PartnerRole.ACCOUNT_ADMIN: _("Manages the partner organisation, its users and settings."),
    PartnerRole.ADMIN_AGENT: _("Manages customers, requests delegated admin and acts on behalf of customers."),
    PartnerRole.SALES_AGENT: _("Requests reseller relationships and creates customers; no admin actions."),
    PartnerRole.HELPDESK_AGENT: _("Views customers and files service requests."),
    PartnerRole.BILLING_ADMIN: _("Sees billing information."),
}


class PartnerUserInvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


PARTNER_USER_INVITATION_TRANSITIONS = {
    PartnerUserInvitationStatus.PENDING: {
        PartnerUserInvitationStatus.ACCEPTED,
        PartnerUserInvitationStatus.CANCELLED,
        PartnerUserInvitationStatus.EXPIRED,
    },
}


class DomainProofMethod(models.TextChoices):
    DNS = "dns", _("DNS TXT record")
    STAFF = "staff", _("Platform staff")


def partner_role_label(code: str) -> str | None:
    """A partner role code in words, or None if `code` is not one (the audit log's lookup)."""
    return str(PartnerRole(code).label) if code in PartnerRole.values else None


class SavedViewList(models.TextChoices):
    """The console lists a user can save filter sets for (issue 24, item 3)."""

    CUSTOMERS = "customers", _("Customers")
    INVITATIONS = "invitations", _("Invitations")
    GRANTS = "grants", _("Delegated admin")
    SERVICE_REQUESTS = "service_requests", _("Service requests")


# The query parameters each list reads: a saved view keeps these and nothing else (never `page`).
SAVED_VIEW_PARAMETERS: dict[str, tuple[str, ...]] = {
    SavedViewList.CUSTOMERS: ("q", "type", "dap", "country", "tag", "sort"),
    SavedViewList.INVITATIONS: ("status", "q", "expiring"),
    SavedViewList.GRANTS: ("status", "ending"),
    SavedViewList.SERVICE_REQUESTS: ("status", "customer", "q"),
}
