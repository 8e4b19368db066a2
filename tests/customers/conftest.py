from __future__ import annotations

import pytest

from partners.choices import PartnerRole
from relationships.models import Relationship
from tests.factories import PartnerMembershipFactory, UserFactory


@pytest.fixture
def agent(partner_a):  # type: ignore[no-untyped-def]
    return PartnerMembershipFactory(partner=partner_a.partner, user=UserFactory(email="agent@contoso.example"),
                                    roles=[PartnerRole.ADMIN_AGENT])


@pytest.fixture
def related(partner_a, customer_a):  # type: ignore[no-untyped-def]
    return Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)


# API keys and their clients, shared with tests/api.
from tests.api.conftest import _fresh_rate_limits, client_for, issue_key  # noqa: E402, F401
