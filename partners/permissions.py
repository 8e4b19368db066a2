"""What each partner role may do, and the API scopes' roles: the data partners.authz decides from.

Services check through partners.authz.authorize (one mechanism); pages may ask roles_allow /
partners.authz.can to decide what to show."""

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
    VIEW_ACTIVITY = "view_activity"
    REQUEST_DELEGATED_ADMIN = "request_delegated_admin"
    MANAGE_ACCESS_ASSIGNMENTS = "manage_access_assignments"
    REMOVE_RELATIONSHIP = "remove_relationship"
    MANAGE_SIGN_IN_SECURITY = "manage_sign_in_security"
    # API keys and webhook subscriptions (Partner settings → API keys, Webhooks).
    MANAGE_INTEGRATIONS = "manage_integrations"
    # Ending an active delegated admin grant (partner, customer global admin or staff: partners.authz.RULES).
    TERMINATE_GRANT = "terminate_grant"
    # The customer's side: approving or rejecting a grant request, answering a service request.
    APPROVE_GRANT = "approve_grant"
    ANSWER_SERVICE_REQUEST = "answer_service_request"
    # Gated further by a target condition (partners.authz.register_condition) in the owning app.
    FILE_SERVICE_REQUEST = "file_service_request"  # servicerequests.permissions
    MANAGE_DIRECTORY_USERS = "manage_directory_users"  # directory.permissions
    MANAGE_LICENSES = "manage_licenses"  # directory.permissions
    # Private tags and notes on the partner's customers (issue 24, item 5): tagging a customer (creating
    # tags on the fly) and writing notes; renaming and deleting tags; editing or deleting a note (its
    # author or an account admin: relationships.customer_note_permissions).
    ANNOTATE_CUSTOMERS = "annotate_customers"
    MANAGE_CUSTOMER_TAGS = "manage_customer_tags"
    EDIT_CUSTOMER_NOTE = "edit_customer_note"
    # Partner settings → Defaults (issue 24, item 7): new requests' defaults, invitation reply-to and signature.
    MANAGE_PARTNER_DEFAULTS = "manage_partner_defaults"


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
    # The activity log: who did what in this partner's name (and to its customers), with IPs.
    PartnerPermission.VIEW_ACTIVITY: frozenset({PartnerRole.ACCOUNT_ADMIN, PartnerRole.ADMIN_AGENT}),
    PartnerPermission.REQUEST_DELEGATED_ADMIN: frozenset({PartnerRole.ACCOUNT_ADMIN, PartnerRole.ADMIN_AGENT}),
    PartnerPermission.MANAGE_ACCESS_ASSIGNMENTS: frozenset({PartnerRole.ACCOUNT_ADMIN}),
    # Ending a reseller relationship from the partner side (issue 6), like removing admin roles.
    PartnerPermission.REMOVE_RELATIONSHIP: frozenset({PartnerRole.ACCOUNT_ADMIN, PartnerRole.ADMIN_AGENT}),
    # Requiring MFA of every user, and the users' sign-in log (IPs, user agents): account admins only.
    PartnerPermission.MANAGE_SIGN_IN_SECURITY: frozenset({PartnerRole.ACCOUNT_ADMIN}),
    PartnerPermission.MANAGE_INTEGRATIONS: frozenset({PartnerRole.ACCOUNT_ADMIN}),
    # The same roles as requesting admin roles: who may ask for them may end them.
    PartnerPermission.TERMINATE_GRANT: frozenset({PartnerRole.ACCOUNT_ADMIN, PartnerRole.ADMIN_AGENT}),
    PartnerPermission.APPROVE_GRANT: frozenset(),
    PartnerPermission.ANSWER_SERVICE_REQUEST: frozenset(),
    PartnerPermission.FILE_SERVICE_REQUEST: ALL_ROLES,
    PartnerPermission.MANAGE_DIRECTORY_USERS: ALL_ROLES,
    PartnerPermission.MANAGE_LICENSES: ALL_ROLES,
    # Everyone who works with customers; billing admins read them (their work is invoices).
    PartnerPermission.ANNOTATE_CUSTOMERS: ALL_ROLES - {PartnerRole.BILLING_ADMIN},
    PartnerPermission.MANAGE_CUSTOMER_TAGS: frozenset({PartnerRole.ACCOUNT_ADMIN, PartnerRole.ADMIN_AGENT}),
    PartnerPermission.EDIT_CUSTOMER_NOTE: ALL_ROLES - {PartnerRole.BILLING_ADMIN},
    PartnerPermission.MANAGE_PARTNER_DEFAULTS: frozenset({PartnerRole.ACCOUNT_ADMIN}),
}


def roles_allow(roles: list[str] | frozenset[str], permission: PartnerPermission) -> bool:
    return bool(set(roles) & ROLES_WITH_PERMISSION[permission])


# --- API key scopes (issue 7) ---------------------------------------------------------------
# A key acts as its partner through the same services as the console. The API layer checks the
# scope of each operation; the services then check partner roles, so each key gets a service
# actor (partners.api_key_services.api_key_actor) holding the roles its scopes need, and no more.


class ApiScope(StrEnum):
    INVITATIONS_READ = "invitations:read"
    INVITATIONS_WRITE = "invitations:write"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    RELATIONSHIPS_READ = "relationships:read"
    RELATIONSHIPS_WRITE = "relationships:write"
    GRANTS_READ = "grants:read"
    GRANTS_WRITE = "grants:write"
    WEBHOOKS_MANAGE = "webhooks:manage"
    SERVICE_REQUESTS_READ = "service_requests:read"
    SERVICE_REQUESTS_WRITE = "service_requests:write"
    SETTINGS_MANAGE = "settings:manage"  # the partner's defaults (issue 24, item 7): an account-admin matter


# A write scope includes reading the same resource.
SCOPE_IMPLIES: dict[ApiScope, frozenset[ApiScope]] = {
    ApiScope.INVITATIONS_WRITE: frozenset({ApiScope.INVITATIONS_READ}),
    ApiScope.CUSTOMERS_WRITE: frozenset({ApiScope.CUSTOMERS_READ}),
    ApiScope.RELATIONSHIPS_WRITE: frozenset({ApiScope.RELATIONSHIPS_READ}),
    ApiScope.GRANTS_WRITE: frozenset({ApiScope.GRANTS_READ}),
    ApiScope.SERVICE_REQUESTS_WRITE: frozenset({ApiScope.SERVICE_REQUESTS_READ}),
}

# The partner roles a key's service actor holds for each scope (reads need none beyond view).
ROLES_FOR_SCOPE: dict[ApiScope, frozenset[str]] = {
    ApiScope.INVITATIONS_READ: frozenset({PartnerRole.HELPDESK_AGENT}),
    ApiScope.INVITATIONS_WRITE: frozenset({PartnerRole.SALES_AGENT}),
    ApiScope.CUSTOMERS_READ: frozenset({PartnerRole.HELPDESK_AGENT}),
    ApiScope.CUSTOMERS_WRITE: frozenset({PartnerRole.SALES_AGENT}),  # create a customer (customers.services)
    ApiScope.RELATIONSHIPS_READ: frozenset({PartnerRole.HELPDESK_AGENT}),
    ApiScope.RELATIONSHIPS_WRITE: frozenset({PartnerRole.ADMIN_AGENT}),  # DELETE /relationships/{id} (issue 6)
    ApiScope.GRANTS_READ: frozenset({PartnerRole.HELPDESK_AGENT}),
    # Requesting admin roles (admin agent) and editing access assignments (account admin only).
    ApiScope.GRANTS_WRITE: frozenset({PartnerRole.ADMIN_AGENT, PartnerRole.ACCOUNT_ADMIN}),
    # Webhook subscriptions are an account-admin matter in the console (MANAGE_INTEGRATIONS).
    ApiScope.WEBHOOKS_MANAGE: frozenset({PartnerRole.ACCOUNT_ADMIN}),
    ApiScope.SERVICE_REQUESTS_READ: frozenset({PartnerRole.HELPDESK_AGENT}),
    # Filing on the customer's behalf: an admin agent may, as long as the relationship is active
    # (servicerequests.permissions.filing_decision).
    ApiScope.SERVICE_REQUESTS_WRITE: frozenset({PartnerRole.ADMIN_AGENT}),
    # Partner settings → Defaults, like the console page: account admins only.
    ApiScope.SETTINGS_MANAGE: frozenset({PartnerRole.ACCOUNT_ADMIN}),
}

# Partner settings → API keys and Webhooks are account-admin pages, like Users and roles.
MANAGE_INTEGRATIONS = PartnerPermission.MANAGE_INTEGRATIONS


def scopes_granted(scopes: list[str] | frozenset[str]) -> frozenset[str]:
    """The scopes a key holds, with those its write scopes imply."""
    granted = {ApiScope(scope) for scope in scopes if scope in ApiScope._value2member_map_}
    for scope in list(granted):
        granted |= SCOPE_IMPLIES.get(scope, frozenset())
    return frozenset(str(scope) for scope in granted)


def roles_for_scopes(scopes: list[str] | frozenset[str]) -> list[str]:
    """The partner roles of a key's service actor, in PartnerRole order."""
    roles: set[str] = set()
    for scope in scopes_granted(scopes):
        roles |= ROLES_FOR_SCOPE[ApiScope(scope)]
    return [role for role in PartnerRole.values if role in roles]
