"""What each partner role may do in the console. Checked by views and services alike."""

from __future__ import annotations

from enum import StrEnum

from partners.choices import PartnerRole


class PartnerPermission(StrEnum):
    VIEW_CONSOLE = "view_console"
    MANAGE_USERS = "manage_users"
    REQUEST_RELATIONSHIP = "request_relationship"
    MANAGE_CUSTOMERS = "manage_customers"
    VIEW_CUSTOMERS = "view_customers"
    VIEW_BILLING = "view_billing"
    REQUEST_DELEGATED_ADMIN = "request_delegated_admin"
    MANAGE_ACCESS_ASSIGNMENTS = "manage_access_assignments"


ALL_ROLES = frozenset(PartnerRole.values)

ROLES_WITH_PERMISSION: dict[PartnerPermission, frozenset[str]] = {
    PartnerPermission.VIEW_CONSOLE: ALL_ROLES,
    PartnerPermission.MANAGE_USERS: frozenset({PartnerRole.ACCOUNT_ADMIN}),
    PartnerPermission.REQUEST_RELATIONSHIP: frozenset(
        {PartnerRole.ACCOUNT_ADMIN, PartnerRole.ADMIN_AGENT, PartnerRole.SALES_AGENT}
    ),
    PartnerPermission.MANAGE_CUSTOMERS: frozenset({PartnerRole.ADMIN_AGENT, PartnerRole.SALES_AGENT}),
    PartnerPermission.VIEW_CUSTOMERS: ALL_ROLES,
    PartnerPermission.VIEW_BILLING: frozenset({PartnerRole.ACCOUNT_ADMIN, PartnerRole.BILLING_ADMIN}),
    PartnerPermission.REQUEST_DELEGATED_ADMIN: frozenset({PartnerRole.ACCOUNT_ADMIN, PartnerRole.ADMIN_AGENT}),
    PartnerPermission.MANAGE_ACCESS_ASSIGNMENTS: frozenset({PartnerRole.ACCOUNT_ADMIN}),
}


def roles_allow(roles: list[str] | frozenset[str], permission: PartnerPermission) -> bool:
    return bool(set(roles) & ROLES_WITH_PERMISSION[permission])
