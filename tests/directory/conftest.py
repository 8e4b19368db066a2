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


@pytest.fixture
def seats(agent, customer_a, related):  # type: ignore[no-untyped-def]
    """Two seats of the productivity suite, placed by Contoso for Northwind."""
    from subscriptions.services import subscription_provision

    return subscription_provision(membership=agent, customer=customer_a.customer, product_sku="productivity-suite-business", quantity=2)


@pytest.fixture
def people(customer_a):  # type: ignore[no-untyped-def]
    from directory.models import DirectoryUser

    return [DirectoryUser.objects.create(customer=customer_a.customer, display_name=f"Person {n}",
                                         user_principal_name=f"p{n}@northwind.example") for n in range(3)]
