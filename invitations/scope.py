"""What accepting an offer lets the partner do, in plain language (for the acceptance page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from partnercenter.directory_roles import BY_ID

if TYPE_CHECKING:
    from invitations.selectors import Offer


def offer_abilities(offer: Offer) -> list[str]:
    """One sentence per thing the partner will be able to do; the roles' own descriptions."""
    abilities: list[str] = []
    if not offer.is_delegated_admin_only:
        abilities.append(_("Order and manage subscriptions and licences for your organisation, as your reseller."))
        abilities.append(_("See your organisation's name, domain, country and subscriptions."))
    if offer.include_delegated_admin:
        for role_id in offer.role_ids:
            role = BY_ID.get(role_id)
            if role is not None:
                abilities.append(_("%(role)s: %(description)s") % {"role": role.name, "description": role.description})
    return abilities


def offer_limits(offer: Offer) -> list[str]:
    """What the partner will not be able to do, and how the customer stays in control."""
    limits: list[str] = []
    if not offer.include_delegated_admin:
        limits.append(_("It will not be able to manage your users, passwords or settings: no admin roles are requested."))
    else:
        limits.append(
            _("Admin roles last %(days)s days at most, start only after you approve them, and you can remove them at any time.")
            % {"days": offer.duration_days}
        )
    limits.append(_("You can end the relationship at any time in the admin center."))
    return limits
