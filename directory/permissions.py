"""Which delegated admin (directory) roles let a partner user read or change a customer's directory.

The partner user's effective roles come from relationships.selectors.effective_access (their partner
roles ∩ the roles of the partner's active grants assigned to those roles). Decided here:

- read users and licenses: relationships.selectors.USER_READ_ROLES (Global Administrator, User
  Administrator, Helpdesk Administrator, Global Reader, Directory Readers, Privileged Authentication
  Administrator, License Administrator);
- create and disable users: Global Administrator, User Administrator (as in Entra ID, where
  Helpdesk Administrators only reset passwords and readers change nothing);
- assign and remove licenses: Global Administrator, User Administrator, License Administrator.
"""

from __future__ import annotations

from relationships.roles import GLOBAL_ADMINISTRATOR
from relationships.selectors import USER_READ_ROLES

USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE_ADMINISTRATOR = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"

DIRECTORY_READ_ROLES = USER_READ_ROLES
USER_WRITE_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR})
LICENSE_WRITE_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, LICENSE_ADMINISTRATOR})
