"""Concurrent license assignments on PostgreSQL never exceed the purchased quantity."""

from __future__ import annotations

import pytest

from directory.errors import DirectoryError
from directory.models import DirectoryUser, LicenseAssignment
from directory.services import license_assign
from subscriptions.services import subscription_provision
from tests.customer_services import grant_roles
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12
QUANTITY = 5


def test_twelve_concurrent_assigns_fill_exactly_the_five_seats(agent, customer_a, related):
    grant_roles(agent.partner, customer_a.customer)
    subscription = subscription_provision(membership=agent, customer=customer_a.customer, product_sku="email-plan-1", quantity=QUANTITY)
    people = [DirectoryUser.objects.create(customer=customer_a.customer, display_name=f"P{n}", user_principal_name=f"p{n}@northwind.example")
              for n in range(THREADS)]
    assigned, refused = race(lambda user: license_assign(membership=agent, subscription=subscription, user=user), people,
                             refusals=(DirectoryError,))
    assert len(assigned) == QUANTITY
    assert refused == ["out_of_seats"] * (THREADS - QUANTITY)
    assert LicenseAssignment.objects.filter(subscription=subscription).count() == QUANTITY
