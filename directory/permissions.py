"""Which delegated admin (directory) roles let a partner user read or change a customer's directory.

The partner user's effective roles come from relationships.selectors.effective_access (their partner
roles ∩ the roles of the partner's active grants assigned to those roles). Decided here:

- read users and licenses: partnercenter.directory_roles.USER_READ_ROLES (Global Administrator, User
  Administrator, Helpdesk Administrator, Global Reader, Directory Readers, Privileged Authentication
  Administrator, License Administrator);
- create and disable users: Global Administrator, User Administrator (as in Entra ID, where
  Helpdesk Administrators only reset passwords and readers change nothing);
- assign and remove licenses: Global Administrator, User Administrator, License Administrator.

The writes are authorised by partners.authz.authorize with Permission.MANAGE_DIRECTORY_USERS or
MANAGE_LICENSES and the customer as target; the conditions registered below decide the rest (the
customer is the partner's: otherwise `not_found`; the effective roles include a writing one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from directory.errors import DirectoryError
from partnercenter.directory_roles import (
    GLOBAL_ADMINISTRATOR,
    LICENSE_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    USER_READ_ROLES,
)
from partners.authz import Actor, Permission, register_condition
from relationships.choices import RelationshipStatus
from relationships.models import Relationship
from relationships.selectors import effective_access

DIRECTORY_READ_ROLES = USER_READ_ROLES
USER_WRITE_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR})
LICENSE_WRITE_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, LICENSE_ADMINISTRATOR})


def _effective_roles_condition(needed: frozenset[str]) -> Callable[[Actor, Any], str | None]:
    def condition(actor: Actor, customer: Any) -> str | None:
        if actor.membership is None:  # only partner members and API keys hold PARTNER roles for this
            return _("Your roles do not allow this action.")
        if actor.partner_id is None or not Relationship.objects.filter(
                partner_id=actor.partner_id, customer=customer, status=RelationshipStatus.ACTIVE).exists():
            raise DirectoryError("not_found", _("Unknown customer."))
        access = effective_access(membership=actor.membership, customer=customer)
        if access.allows_any(needed):
            return None
        return access.reason or _("Your admin roles in this tenant do not include one that allows this.")
    return condition


register_condition(Permission.MANAGE_DIRECTORY_USERS, _effective_roles_condition(USER_WRITE_ROLES))
register_condition(Permission.MANAGE_LICENSES, _effective_roles_condition(LICENSE_WRITE_ROLES))
