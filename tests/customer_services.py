"""Helpers for the customer services tests (subscriptions, directory, removal, Customers page)."""

from __future__ import annotations

from partnercenter.directory_roles import BUNDLES
from partners.choices import PartnerRole
from relationships.models import Relationship
from tests.factories import AccessAssignmentFactory, DelegatedAdminGrantFactory, PartnerMembershipFactory

USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE_ADMINISTRATOR = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"


def relate(partner, customer) -> Relationship:  # type: ignore[no-untyped-def]
    return Relationship.objects.create(partner=partner, customer=customer)


def member(partner, *roles: str):  # type: ignore[no-untyped-def]
    return PartnerMembershipFactory(partner=partner, roles=list(roles or [PartnerRole.ADMIN_AGENT]))


def grant_roles(partner, customer, roles=None, partner_role: str = PartnerRole.ADMIN_AGENT):  # type: ignore[no-untyped-def]
    """An active grant of `roles` (default: user and license management) assigned to `partner_role`."""
    grant = DelegatedAdminGrantFactory(partner=partner, customer=customer, roles=list(roles or BUNDLES["user_management"][1]))
    AccessAssignmentFactory(grant=grant, partner_role=partner_role, roles=list(grant.roles))
    return grant
