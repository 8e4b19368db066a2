"""Bulk delegated admin for 1,000 customers (issue 24, "At scale"): the job completes with memory that does
not grow with the customers done and the same number of SQL statements for each customer.

Measured as tests/invitation_batches/test_scale.py measures the 10,000-row invitation batch: tracemalloc's
heap peak during one chunk of rows near the start against the last chunk's, and the resident set size
every 500 rows. Statements are counted per customer (the job's per-chunk reads — the next 250 rows, the
progress counters — come on top, a constant per chunk) by a connection execute wrapper (nothing stored), so
a request that costs more statements the more customers are done — or one per customer in a loop that
grows — fails the test. Run by default (in make test), in the same xdist group as the 10,000-row test.
"""

from __future__ import annotations

import logging
import os
import time

import pytest
from django.db import connection

from customers.choices import CustomerRole
from customers.models import Customer, CustomerMembership
from invitation_batches.choices import BatchStatus, GdapRowStatus
from invitations.choices import InvitationKind
from invitations.models import Invitation
from partnercenter.directory_roles import BUNDLES
from relationships.models import Relationship
from tests.invitation_batches.test_scale import JobMeter

pytestmark = pytest.mark.django_db(transaction=True)  # real commits per row, as in production

CUSTOMERS = int(os.environ.get("GDAP_SCALE_CUSTOMERS", "1000"))


def many_customers(partner, count: int) -> list[Customer]:  # type: ignore[no-untyped-def]
    """`count` customers of the partner, each with a global admin (the request's recipient)."""
    from accounts.models import User

    customers = Customer.objects.bulk_create([
        Customer(company_name=f"Scale Customer {n:05d}", primary_domain=f"gdap-scale-{n:05d}.example", country="JP")
        for n in range(count)])
    Relationship.objects.bulk_create([Relationship(partner=partner, customer=customer) for customer in customers])
    users = User.objects.bulk_create([User(email=f"admin@gdap-scale-{n:05d}.example", full_name=f"Admin {n}")
                                      for n in range(count)])
    CustomerMembership.objects.bulk_create([CustomerMembership(customer=customer, user=user, role=CustomerRole.GLOBAL_ADMIN)
                                            for customer, user in zip(customers, users, strict=True)])
    return customers


class StatementCounter:
    """Counts the statements sent while a customer's row is processed (per row, no SQL text kept)."""

    def __init__(self) -> None:
        self.current = 0
        self.per_row: list[int] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.current += 1
        return execute(sql, params, many, context)


@pytest.mark.xdist_group("bulk_scale")  # heavy: one worker runs the scale tests while the other runs the rest
def test_a_thousand_customers_get_their_request_with_constant_memory_and_statements(partner_a, settings, monkeypatch):  # type: ignore[no-untyped-def]
    from invitation_batches import gdap_services
    from invitation_batches.gdap_services import delegated_admin_batch_create
    from notifications import services as outbox

    settings.INVITATION_DAILY_CAP = CUSTOMERS + 10
    published: list[int] = []  # sending the emails is the worker's job, not measured here
    monkeypatch.setattr(outbox, "outbox_publish", lambda *, message_id: published.append(message_id) or True)
    customers = many_customers(partner_a.partner, CUSTOMERS)

    meter = JobMeter(CUSTOMERS)
    meter.first_window = (min(250, CUSTOMERS // 4), min(250, CUSTOMERS // 4) + meter.WINDOW)
    counter = StatementCounter()
    process_row = gdap_services._process_row

    def metered_row(batch, row, membership):  # type: ignore[no-untyped-def]
        meter.chunk_starts()
        counter.current = 0
        with connection.execute_wrapper(counter):
            process_row(batch, row, membership)
        counter.per_row.append(counter.current)
        meter.chunk_done(1)

    monkeypatch.setattr(gdap_services, "_process_row", metered_row)
    with connection.cursor() as cursor:  # test database only: not waiting for each commit's WAL flush (as test_scale.py)
        cursor.execute("SET synchronous_commit TO OFF")
    logging.disable(logging.INFO)
    try:
        started = time.monotonic()
        # The batch commits, then its job runs (eager Celery in tests) right after the commit.
        batch = delegated_admin_batch_create(membership=partner_a.admin, identifiers=[str(c.tenant_id) for c in customers],
                                             roles=list(BUNDLES["helpdesk"][1]), duration_days=90)
        seconds = time.monotonic() - started
    finally:
        logging.disable(logging.NOTSET)
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")

    batch.refresh_from_db()
    first_peak, last_peak = meter.window_peaks
    after_first = meter.rss[min(r for r in meter.rss if r >= meter.first_window[1])]
    growth = max(meter.rss.values()) - after_first
    statements = sorted(set(counter.per_row))
    print(f"\ngdap scale: {CUSTOMERS} customers in {seconds:.1f} s ({CUSTOMERS / seconds:.0f}/s); statements per customer "
          f"{statements}; heap peak during a chunk {first_peak / 1e6:.2f} MB (rows {meter.first_window[0]}-{meter.first_window[1]}) "
          f"vs {last_peak / 1e6:.2f} MB (last rows); RSS {after_first / 1e6:.0f} MB, +{growth / 1e6:.1f} MB by the last customer")
    assert (batch.status, batch.done_rows, batch.created_rows) == (BatchStatus.COMPLETED, CUSTOMERS, CUSTOMERS)
    assert batch.rows.filter(status=GdapRowStatus.CREATED, invitation__isnull=False).count() == CUSTOMERS
    assert Invitation.objects.filter(partner=partner_a.partner, kind=InvitationKind.DELEGATED_ADMIN).count() == CUSTOMERS
    assert len(published) == CUSTOMERS  # each customer's global admin gets the request, handed over once after its commit
    # The same statements for every customer: the 1,000th costs what the 1st does.
    assert len(counter.per_row) == CUSTOMERS
    assert counter.per_row[-1] == counter.per_row[0] and max(counter.per_row) - min(counter.per_row) <= 1, statements
    # Bounded memory: a chunk near the end needs no more heap than one near the start; the process does not grow.
    assert last_peak <= first_peak * 1.25 + 256_000, (first_peak, last_peak)
    assert growth < 8_000_000, meter.rss
