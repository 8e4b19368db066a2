"""Admin autodiscovery imports this module (staff is an installed app): it imports every registration module."""

from staff import (  # noqa: F401
    accounts_admin,
    audit_admin,
    customers_admin,
    directory_admin,
    invitation_batches_admin,
    invitations_admin,
    notifications_admin,
    partners_admin,
    relationships_admin,
    servicerequests_admin,
    subscriptions_admin,
)
