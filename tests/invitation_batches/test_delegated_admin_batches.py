"""Bulk delegated admin for existing customers (issue 24): one request per customer through the single-request service."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invitation_batches.choices import BatchStatus, GdapRowStatus
from invitation_batches.errors import BatchError
from invitation_batches.gdap_selectors import gdap_batch_result_lines
from invitation_batches.gdap_services import (
    delegated_admin_batch_create,
    delegated_admin_batch_process,
    identifiers_from_csv,
)
from invitations.choices import InvitationKind, InvitationStatus
from notifications.models import OutboxMessage
from partnercenter.directory_roles import BUNDLES
from partnercenter.errors import PermissionDeniedError
from partners.choices import PartnerRole
from relationships.choices import GrantStatus
from relationships.models import Relationship
from tests.factories import (
    CustomerFactory,
    CustomerMembershipFactory,
    DelegatedAdminGrantFactory,
    PartnerMembershipFactory,
)

pytestmark = pytest.mark.django_db

ROLES = list(BUNDLES["helpdesk"][1])


@pytest.fixture
def customers(partner_a):  # type: ignore[no-untyped-def]
    """Five customers of partner_a (the first three with a global admin)."""
    made = []
    for n in range(5):
        customer = CustomerFactory(company_name=f"Bulk {n}", primary_domain=f"bulk{n}.example")
        Relationship.objects.create(partner=partner_a.partner, customer=customer)
        if n < 3:
            CustomerMembershipFactory(customer=customer)
        made.append(customer)
    return made


def run(membership, identifiers, capture, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("roles", ROLES)
    kwargs.setdefault("duration_days", 90)
    with capture(execute=True):
        batch = delegated_admin_batch_create(membership=membership, identifiers=identifiers, **kwargs)
    batch.refresh_from_db()
    return batch


def statuses(batch):  # type: ignore[no-untyped-def]
    return {row.given: (row.status, row.error_code) for row in batch.rows.all()}


def test_one_delegated_admin_invitation_per_customer(partner_a, customers, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    given = [str(c.tenant_id) for c in customers[:3]] + [c.primary_domain.upper() for c in customers[3:]]
    batch = run(partner_a.admin, given, django_capture_on_commit_callbacks, auto_extend=True)
    assert (batch.status, batch.total_rows, batch.done_rows, batch.created_rows, batch.percent) == (BatchStatus.COMPLETED, 5, 5, 5, 100)
    for row in batch.rows.select_related("invitation", "customer"):
        invitation = row.invitation
        assert row.status == GdapRowStatus.CREATED
        assert (invitation.kind, invitation.status, invitation.target_domain) == (InvitationKind.DELEGATED_ADMIN, InvitationStatus.PENDING, row.customer.primary_domain)
        assert set(invitation.requested_roles) == set(ROLES) and invitation.grant_duration_days == 90 and invitation.grant_auto_extend
    # Customers with a global admin get the email; the others have the link to share (result CSV).
    assert OutboxMessage.objects.filter(template="invitations/email/invitation").count() == 3


def test_covered_not_found_and_other_tenants(partner_a, partner_b, customers, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    active, pending = customers[0], customers[1]
    DelegatedAdminGrantFactory(partner=partner_a.partner, customer=active, roles=[*ROLES, BUNDLES["read_only"][1][0]])
    DelegatedAdminGrantFactory(partner=partner_a.partner, customer=pending, roles=ROLES, status=GrantStatus.APPROVAL_PENDING)
    other = CustomerFactory(primary_domain="theirs.example", cloud=partner_b.partner.cloud, country="US")
    Relationship.objects.create(partner=partner_b.partner, customer=other)
    given = [active.primary_domain, pending.primary_domain, customers[2].primary_domain, str(other.tenant_id), "theirs.example",
             "nobody.example", customers[2].primary_domain]
    batch = run(partner_a.admin, given, django_capture_on_commit_callbacks)
    rows = {row.line: row for row in batch.rows.all()}
    assert (rows[1].status, rows[2].status, rows[3].status) == (GdapRowStatus.COVERED, GdapRowStatus.COVERED, GdapRowStatus.CREATED)
    assert "active" in rows[1].error_message and "approval" in rows[2].error_message
    # Another partner's customer answers exactly as an unknown one.
    assert {rows[n].error_code for n in (4, 5, 6)} == {"not_found"}
    assert rows[4].error_message == rows[6].error_message
    assert (rows[7].status, rows[7].error_code) == (GdapRowStatus.NOT_ALLOWED, "duplicate")
    assert (batch.created_rows, batch.covered_rows, batch.refused_rows, batch.done_rows) == (1, 2, 4, 7)


def test_rerun_is_idempotent(partner_a, customers, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    given = [c.primary_domain for c in customers]
    first = run(partner_a.admin, given, django_capture_on_commit_callbacks)
    assert first.created_rows == 5
    # The same job again does nothing; a second batch for the same customers finds them covered.
    assert delegated_admin_batch_process(batch_id=first.pk) == 0
    second = run(partner_a.admin, given, django_capture_on_commit_callbacks)
    assert (second.created_rows, second.covered_rows) == (0, 5)
    assert all("pending request" in row.error_message for row in second.rows.all())
    # More roles than the pending requests carry: a new request is needed.
    third = run(partner_a.admin, given[:1], django_capture_on_commit_callbacks, roles=list(BUNDLES["user_management"][1]))
    assert third.created_rows == 1


def test_a_refusal_of_the_service_is_the_rows_reason(partner_a, customers, django_capture_on_commit_callbacks, settings):  # type: ignore[no-untyped-def]
    settings.INVITATION_DAILY_CAP = 2
    batch = run(partner_a.admin, [c.primary_domain for c in customers], django_capture_on_commit_callbacks)
    assert (batch.created_rows, batch.refused_rows) == (2, 3)
    refused = batch.rows.filter(status=GdapRowStatus.NOT_ALLOWED).first()
    assert refused.error_code and refused.error_message


def test_bad_input_is_refused_before_anything_is_stored(partner_a, customers):  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError) as error:
        delegated_admin_batch_create(membership=partner_a.admin, identifiers=[], roles=ROLES, duration_days=90)
    assert error.value.code == "no_rows"
    with pytest.raises(BatchError) as error:
        delegated_admin_batch_create(membership=partner_a.admin, identifiers=["bulk0.example"], roles=["nope"], duration_days=90)
    assert error.value.code == "unknown_role"
    with pytest.raises(BatchError) as error:
        delegated_admin_batch_create(membership=partner_a.admin, identifiers=["bulk0.example"], roles=ROLES, duration_days=9999)
    assert error.value.code == "invalid_duration"
    with pytest.raises(BatchError) as error:
        list(identifiers_from_csv(io.BytesIO(b"\xff\xfe\x00bad")))
    assert error.value.code == "not_utf8"


def test_only_members_who_may_request_delegated_admin(partner_a, customers):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDeniedError):
        delegated_admin_batch_create(membership=partner_a.sales, identifiers=["bulk0.example"], roles=ROLES, duration_days=90)
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])
    assert delegated_admin_batch_create(membership=agent, identifiers=["bulk0.example"], roles=ROLES, duration_days=90).total_rows == 1


def test_csv_identifiers_and_result_csv(partner_a, customers, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    text = "tenant_id\n" + f"{customers[0].tenant_id}\n\n=cmd|calc\n"
    given = list(identifiers_from_csv(io.BytesIO(text.encode("utf-8-sig"))))
    assert given == [str(customers[0].tenant_id), "=cmd|calc"]
    batch = run(partner_a.admin, given, django_capture_on_commit_callbacks)
    lines = list(gdap_batch_result_lines(batch=batch, invitation_url=lambda pk: f"https://x/{pk}"))
    assert lines[0].lstrip("\ufeff").startswith("line,given,tenant_id")
    assert "created" in lines[1] and "https://x/" in lines[1]
    assert "'=cmd|calc" in lines[2] and "not_found" in lines[2]  # formula-safe


def test_statements_per_customer_are_constant(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """The job costs the same statements for every customer: 10 and 30 customers differ by exactly 20 rows' worth."""
    def statements(n: int, offset: int) -> int:
        names = []
        for i in range(offset, offset + n):
            customer = CustomerFactory(primary_domain=f"scale{i}.example")
            Relationship.objects.create(partner=partner_a.partner, customer=customer)
            CustomerMembershipFactory(customer=customer)
            names.append(customer.primary_domain)
        batch = delegated_admin_batch_create(membership=partner_a.admin, identifiers=names, roles=ROLES, duration_days=90)
        with CaptureQueriesContext(connection) as queries:
            delegated_admin_batch_process(batch_id=batch.pk, clock=lambda: 0.0)
        batch.refresh_from_db()
        assert batch.created_rows == n
        return len(queries.captured_queries)

    small, large, larger = statements(10, 0), statements(30, 100), statements(50, 200)
    per_customer = (large - small) / 20
    assert per_customer == (larger - large) / 20, (small, large, larger)
    print(f"statements: 10 customers {small}, 30 customers {large}, 50 customers {larger}; {per_customer} per customer")
