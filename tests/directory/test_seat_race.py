"""Concurrent license assignments on PostgreSQL never exceed the purchased quantity."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from directory.errors import DirectoryError
from directory.models import DirectoryUser, LicenseAssignment
from directory.services import license_assign
from subscriptions.services import subscription_provision
from tests.customer_services import grant_roles

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12
QUANTITY = 5


def test_twelve_concurrent_assigns_fill_exactly_the_five_seats(agent, customer_a, related):
    grant_roles(agent.partner, customer_a.customer)
    subscription = subscription_provision(membership=agent, customer=customer_a.customer, product_sku="email-plan-1", quantity=QUANTITY)
    people = [DirectoryUser.objects.create(customer=customer_a.customer, display_name=f"P{n}", user_principal_name=f"p{n}@northwind.example")
              for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    assigned: list[int] = []
    refused: list[str] = []

    def assign(user: DirectoryUser) -> None:
        try:
            barrier.wait(timeout=10)
            license_assign(membership=agent, subscription=subscription, user=user)
            with lock:
                assigned.append(user.pk)
        except DirectoryError as error:
            with lock:
                refused.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(assigned) == QUANTITY
    assert refused == ["out_of_seats"] * (THREADS - QUANTITY)
    assert LicenseAssignment.objects.filter(subscription=subscription).count() == QUANTITY
