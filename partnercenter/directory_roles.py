"""The catalog of directory roles a partner may ask for (delegated admin), kept as data.

Ids are stable (they match the well-known directory role template ids of the peer product, so
Graph-compatible clients can send them unchanged); names and descriptions are translated.

Platform data (imports no app): partners' model defaults, relationships, invitations, directory,
audit's formatting and the interfaces all read it. Each role id is written here once; everything
else names roles through the constants below (never by position in CATALOG).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from partnercenter.entra_roles import gdap_roles


@dataclass(frozen=True)
class DirectoryRole:
    id: str
    name: Promise
    description: Promise
    helpdesk: bool = False  # part of what helpdesk agents receive by default


GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE_ADMINISTRATOR = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
SERVICE_SUPPORT_ADMINISTRATOR = "f023fd81-a637-4b56-95fd-791ac0226033"
BILLING_ADMINISTRATOR = "b0f54661-2d74-4c50-afa3-1ec803f12efe"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
EXCHANGE_ADMINISTRATOR = "29232cdf-9323-42fd-ade2-1d097af3e4de"
SHAREPOINT_ADMINISTRATOR = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"
TEAMS_ADMINISTRATOR = "69091246-20e8-4a56-aa4d-066075b2a7a8"
SECURITY_READER = "5d6b6bb7-de71-4623-b4af-96380a352509"

CATALOG: tuple[DirectoryRole, ...] = (
    DirectoryRole(GLOBAL_ADMINISTRATOR, _("Global Administrator"), _("Can manage every aspect of the tenant and its services.")),
    DirectoryRole(HELPDESK_ADMINISTRATOR, _("Helpdesk Administrator"), _("Can reset passwords for non-administrators and manage service requests."), helpdesk=True),
    DirectoryRole(USER_ADMINISTRATOR, _("User Administrator"), _("Can manage users and groups, including resetting passwords for limited administrators.")),
    DirectoryRole(LICENSE_ADMINISTRATOR, _("License Administrator"), _("Can assign and remove licenses and manage usage location.")),
    DirectoryRole(SERVICE_SUPPORT_ADMINISTRATOR, _("Service Support Administrator"), _("Can read service health and create and manage support tickets."), helpdesk=True),
    DirectoryRole(BILLING_ADMINISTRATOR, _("Billing Administrator"), _("Can make purchases, manage subscriptions and support tickets, and monitor service health.")),
    DirectoryRole(GLOBAL_READER, _("Global Reader"), _("Can read everything a Global Administrator can, but not change anything.")),
    DirectoryRole(DIRECTORY_READERS, _("Directory Readers"), _("Can read basic directory information."), helpdesk=True),
    DirectoryRole(PRIVILEGED_AUTHENTICATION_ADMINISTRATOR, _("Privileged Authentication Administrator"), _("Can set or reset any authentication method, including for administrators.")),
    DirectoryRole(EXCHANGE_ADMINISTRATOR, _("Exchange Administrator"), _("Can manage all aspects of the email service.")),
    DirectoryRole(SHAREPOINT_ADMINISTRATOR, _("SharePoint Administrator"), _("Can manage all aspects of the file and intranet service.")),
    DirectoryRole(TEAMS_ADMINISTRATOR, _("Teams Administrator"), _("Can manage the meetings and chat service.")),
    DirectoryRole(SECURITY_READER, _("Security Reader"), _("Can read security information and reports.")),
)


def _entra_catalog() -> tuple[DirectoryRole, ...]:
    """Every other Entra built-in role GDAP grants (partnercenter/data/entra_roles.json), after the
    curated ones above, so Graph clients can ask for any role Microsoft's GDAP accepts."""
    curated = {role.id for role in CATALOG}
    return tuple(DirectoryRole(role.id, role.name, role.description) for role in gdap_roles() if role.id not in curated)


# CATALOG stays the short list the console offers; ALL_ROLES is what a grant may carry (validation,
# ordering, names) — the console may offer it too once its pages can present that many.
ALL_ROLES: tuple[DirectoryRole, ...] = CATALOG + _entra_catalog()
BY_ID = {role.id: role for role in ALL_ROLES}

BUNDLES: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "helpdesk": (_("Helpdesk"), tuple(r.id for r in CATALOG if r.helpdesk)),
    "user_management": (
        _("User and license management"),
        (USER_ADMINISTRATOR, LICENSE_ADMINISTRATOR, HELPDESK_ADMINISTRATOR, DIRECTORY_READERS),
    ),
    "read_only": (_("Read only"), (GLOBAL_READER, DIRECTORY_READERS, SECURITY_READER)),
    "full_admin": (_("Full admin"), (GLOBAL_ADMINISTRATOR,)),
}
DEFAULT_BUNDLE = "user_management"
DEFAULT_DURATION_DAYS = 730
MIN_DURATION_DAYS = 1
MAX_DURATION_DAYS = 730


# Directory roles that let a partner user see a customer's users.
USER_READ_ROLES = frozenset({
    GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR, GLOBAL_READER, DIRECTORY_READERS,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR, LICENSE_ADMINISTRATOR,
})


def role_names(role_ids: list[str]) -> list[str]:
    return [str(BY_ID[role_id].name) for role_id in role_ids if role_id in BY_ID]


def role_labels(role_ids: list[str]) -> list[Promise]:
    """The roles' names, still lazy: for an email's context, which renders them in the email's
    language (notifications.services.email_render), whatever language the request is in."""
    return [BY_ID[role_id].name for role_id in role_ids if role_id in BY_ID]
