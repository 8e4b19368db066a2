"""Which delegated admin (directory) roles let a partner user read or change a customer's directory.

The partner user's effective roles come from relationships.selectors.effective_access (their partner
roles ∩ the roles of the partner's active grants assigned to those roles). Decided here:

- read users and licenses: partnercenter.directory_roles.USER_READ_ROLES (Global Administrator, User
  Administrator, Helpdesk Administrator, Global Reader, Directory Readers, Privileged Authentication
  Administrator, License Administrator);
- create and disable users: Global Administrator, User Administrator (as in Entra ID, where
  Helpdesk Administrators only reset passwords and readers change nothing);
- assign and remove licenses: Global Administrator, User Administrator, License Administrator.
"""

from __future__ import annotations

from partnercenter.directory_roles import (
    GLOBAL_ADMINISTRATOR,
    LICENSE_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    USER_READ_ROLES,
)

DIRECTORY_READ_ROLES = USER_READ_ROLES
USER_WRITE_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR})
LICENSE_WRITE_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, LICENSE_ADMINISTRATOR})
