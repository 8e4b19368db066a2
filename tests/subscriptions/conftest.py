from __future__ import annotations

import pytest

from partners.choices import PartnerRole
from tests.customer_services import member, relate


@pytest.fixture
def related(partner_a, customer_a):  # type: ignore[no-untyped-def]
    return relate(partner_a.partner, customer_a.customer)


@pytest.fixture
def agent(partner_a):  # type: ignore[no-untyped-def]
    return member(partner_a.partner, PartnerRole.ADMIN_AGENT)


@pytest.fixture
def helpdesk(partner_a):  # type: ignore[no-untyped-def]
    return member(partner_a.partner, PartnerRole.HELPDESK_AGENT)
