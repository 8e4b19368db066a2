"""Exporting 10,000 customers streams with bounded memory (issue 24, "Must show")."""

from __future__ import annotations

import tracemalloc

import pytest
from django.urls import reverse

from customers.models import Customer
from relationships.models import Relationship

pytestmark = pytest.mark.django_db


def add_customers(partner, start: int, count: int) -> None:  # type: ignore[no-untyped-def]
    customers = Customer.objects.bulk_create(
        [Customer(company_name=f"Customer {n:05d}", primary_domain=f"c{n}.example", country="JP") for n in range(start, start + count)],
        batch_size=2000)
    Relationship.objects.bulk_create([Relationship(partner=partner, customer=c) for c in customers], batch_size=2000)


def peak_while_streaming(client, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(peak traced bytes while the response is produced and consumed, number of bytes streamed)."""
    tracemalloc.start()
    try:
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.streaming_content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_memory_does_not_grow_with_the_rows(client, partner_a, fmt):
    client.force_login(partner_a.sales.user)
    url = reverse("relationships:customers_export", kwargs={"partner_id": partner_a.partner.partner_id, "fmt": fmt})
    add_customers(partner_a.partner, 0, 1000)
    small_peak, small_size = peak_while_streaming(client, url)
    add_customers(partner_a.partner, 1000, 9000)
    large_peak, large_size = peak_while_streaming(client, url)
    assert large_size > 5 * small_size  # ten times the rows really went out ...
    assert large_peak < 2 * small_peak + 2_000_000, (small_peak, large_peak)  # ... in about the same memory
    print(f"{fmt}: 1,000 rows {small_size} B, peak {small_peak} B; 10,000 rows {large_size} B, peak {large_peak} B")
