from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnercenter.directory_roles import BUNDLES
from partners.choices import PartnerRole
from relationships.models import AccessAssignment, DelegatedAdminGrant, Relationship
from tests.factories import PartnerMembershipFactory, UserFactory

HELPDESK_ROLES = list(BUNDLES["helpdesk"][1])  # Helpdesk Admin, Service Support Admin, Directory Readers


@pytest.fixture
def related(partner_a, customer_a):  # type: ignore[no-untyped-def]
    """Contoso is the reseller of Northwind."""
    return Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)


@pytest.fixture
def agent(partner_a):  # type: ignore[no-untyped-def]
    return PartnerMembershipFactory(partner=partner_a.partner, user=UserFactory(email="agent@contoso.example"),
                                    roles=[PartnerRole.ADMIN_AGENT])


@pytest.fixture
def helpdesk(partner_a):  # type: ignore[no-untyped-def]
    return PartnerMembershipFactory(partner=partner_a.partner, user=UserFactory(email="helpdesk@contoso.example"),
                                    roles=[PartnerRole.HELPDESK_AGENT])


@pytest.fixture
def active_grant(related):  # type: ignore[no-untyped-def]
    """make(roles, helpdesk_roles): an active grant with its access assignments."""

    def _make(roles=None, helpdesk_roles=None):  # type: ignore[no-untyped-def]
        now = timezone.now()
        roles = list(roles or HELPDESK_ROLES)
        grant = DelegatedAdminGrant.objects.create(
            partner=related.partner, customer=related.customer, display_name=f"Northwind {now.timestamp()}", roles=roles,
            duration_days=30, status="active", starts_at=now, ends_at=now + timedelta(days=30),
            request_expires_at=now + timedelta(days=90))
        AccessAssignment.objects.create(grant=grant, partner_role=PartnerRole.ADMIN_AGENT, roles=roles)
        assigned = roles if helpdesk_roles is None else helpdesk_roles
        if assigned:
            AccessAssignment.objects.create(grant=grant, partner_role=PartnerRole.HELPDESK_AGENT, roles=list(assigned))
        return grant

    return _make


# API keys and their clients, shared with tests/api.
from tests.api.conftest import _fresh_rate_limits, client_for, issue_key  # noqa: E402, F401
