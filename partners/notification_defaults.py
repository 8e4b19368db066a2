"""Account admins set the partner's default notification emails (issue 24 item 6); each user's own
choice overrides them (notifications.preferences)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications.preferences import partner_notification_defaults_apply
from partners.authz import Permission, authorize

if TYPE_CHECKING:
    from collections.abc import Mapping

    from partners.models import PartnerMembership


def partner_notification_defaults_set(*, membership: PartnerMembership, choices: Mapping[str, str]) -> dict[str, str]:
    """Pre: `membership` may manage the partner's users (account admins). Post: the defaults changed,
    audited (`notification_defaults.changed`); returns what changed. Raises PermissionDeniedError otherwise."""
    authorize(membership, Permission.MANAGE_USERS)
    return partner_notification_defaults_apply(partner_id=membership.partner_id, choices=choices, actor=membership.user)
