"""A requested grant's name: one INSERT when the usual name is free, the name check and "(2)" when it is taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from relationships.models import DelegatedAdminGrant
from relationships.services import grant_insert_named
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _grant(partner, customer) -> DelegatedAdminGrant:  # type: ignore[no-untyped-def]
    return DelegatedAdminGrant(partner=partner, customer=customer, roles=["x"], duration_days=30,
                               request_expires_at=timezone.now() + timedelta(days=90))


def test_the_usual_name_in_one_statement_then_numbered_names_when_taken(partner_a, partner_b, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(company_name="Northwind")
    day = f"{timezone.now():%Y-%m-%d}"
    with django_assert_num_queries(1):
        first = grant_insert_named(_grant(partner_a.partner, customer))
    second = grant_insert_named(_grant(partner_a.partner, customer))
    third = grant_insert_named(_grant(partner_a.partner, customer))
    other_partner = grant_insert_named(_grant(partner_b.partner, customer))
    assert [g.display_name for g in (first, second, third, other_partner)] == [
        f"Northwind {day}", f"Northwind {day} (2)", f"Northwind {day} (3)", f"Northwind {day}"]
    assert all(g.pk is not None for g in (first, second, third, other_partner))
    assert DelegatedAdminGrant.objects.get(pk=second.pk).display_name == f"Northwind {day} (2)"
    assert DelegatedAdminGrant.objects.filter(customer=customer).count() == 4
