from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnercenter.directory_roles import BUNDLES, GLOBAL_ADMINISTRATOR
from partners.choices import PartnerRole
from relationships.models import DelegatedAdminGrant, Relationship
from tests.factories import PartnerMembershipFactory


@pytest.fixture
def related(partner_a, customer_a):  # type: ignore[no-untyped-def]
    """Contoso is the reseller of Northwind."""
    return Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)


@pytest.fixture
def agent(partner_a):  # type: ignore[no-untyped-def]
    return PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])


@pytest.fixture
def helpdesk(partner_a):  # type: ignore[no-untyped-def]
    return PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.HELPDESK_AGENT])


@pytest.fixture
def pending_grant(related):  # type: ignore[no-untyped-def]
    def _make(roles=None, duration_days: int = 30, auto_extend: bool = False, name: str = "Northwind support"):  # type: ignore[no-untyped-def]
        return DelegatedAdminGrant.objects.create(
            partner=related.partner, customer=related.customer, display_name=name,
            roles=list(roles or BUNDLES["user_management"][1]), duration_days=duration_days, auto_extend=auto_extend,
            request_expires_at=timezone.now() + timedelta(days=90),
        )

    return _make


@pytest.fixture
def global_admin_roles():  # type: ignore[no-untyped-def]
    return [GLOBAL_ADMINISTRATOR]


# API keys and their clients, shared with tests/api.
from tests.api.conftest import _fresh_rate_limits, client_for, issue_key  # noqa: E402, F401
