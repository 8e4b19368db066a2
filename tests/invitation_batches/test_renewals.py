"""Renewals of delegated admin grants (issue 24 item 2): which grants end soon, their renewal status, and
renewing a selection through the bulk delegated admin job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from invitation_batches.choices import BatchSource, BatchStatus, GdapRowStatus
from invitation_batches.errors import BatchError
from invitation_batches.renewals import RenewalStatus, delegated_admin_renewal_batch_create, renewal_statuses
from invitations.acceptance import grant_request_from_invitation
from invitations.choices import InvitationKind, InvitationStatus
from partnercenter.directory_roles import BUNDLES, GLOBAL_ADMINISTRATOR
from partnercenter.errors import PermissionDeniedError
from partners.choices import PartnerRole
from relationships.choices import GrantStatus
from relationships.models import AccessAssignment, DelegatedAdminGrant, Relationship
from relationships.selectors import grant_list_for_partner, grants_ending_counts
from relationships.services import grant_approve
from tests.factories import (
    CustomerFactory,
    CustomerMembershipFactory,
    DelegatedAdminGrantFactory,
    PartnerMembershipFactory,
    PartnerSecurityGroupFactory,
)

pytestmark = pytest.mark.django_db

ROLES = list(BUNDLES["helpdesk"][1])


def ending_in(partner, days, *, name, roles=None, **kwargs):  # type: ignore[no-untyped-def]
    """An active grant of a new customer of `partner` (with a global admin) that ends in `days` days."""
    customer = kwargs.pop("customer", None)
    if customer is None:
        customer = CustomerFactory(company_name=name, primary_domain=f"{name.lower()}.example")
        Relationship.objects.create(partner=partner, customer=customer)
        CustomerMembershipFactory(customer=customer)
    now = timezone.now()
    return DelegatedAdminGrantFactory(partner=partner, customer=customer, roles=roles or ROLES, duration_days=180,
                                      starts_at=now - timedelta(days=180 - days), ends_at=now + timedelta(days=days, hours=1), **kwargs)


def renew(membership, grant_ids, capture, **kwargs):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        batch = delegated_admin_renewal_batch_create(membership=membership, grant_ids=grant_ids, **kwargs)
    batch.refresh_from_db()
    return batch


def test_grants_ending_within_each_window_are_listed_and_counted(partner_a, partner_b):  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    soon, later, last, far = (ending_in(partner, days, name=f"Ends{days}") for days in (10, 45, 80, 200))
    ending_in(partner, 10, name="Terminated", status=GrantStatus.TERMINATED)
    ending_in(partner_b.partner, 10, name="Theirs")
    assert grants_ending_counts(partner=partner) == {30: 1, 60: 2, 90: 3}
    assert list(grant_list_for_partner(partner=partner, ending_within_days=60)) == [soon, later]  # soonest end first
    assert far not in grant_list_for_partner(partner=partner, ending_within_days=90) and last in grant_list_for_partner(partner=partner, ending_within_days=90)


def test_renewal_status_not_renewed_requested_and_renewed(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    plain = ending_in(partner, 20, name="Plain")
    requested = ending_in(partner, 20, name="Requested")
    renewed = ending_in(partner, 20, name="Renewed")
    far = ending_in(partner, 300, name="Far")
    # A newer active grant with the roles: renewed. A grant waiting for approval with them: requested.
    DelegatedAdminGrantFactory(partner=partner, customer=renewed.customer, roles=[*ROLES, GLOBAL_ADMINISTRATOR], duration_days=365)
    waiting = DelegatedAdminGrantFactory(partner=partner, customer=requested.customer, roles=ROLES, status=GrantStatus.APPROVAL_PENDING,
                                         starts_at=None, ends_at=None)
    statuses = renewal_statuses(partner_id=partner.pk, grants=grant_list_for_partner(partner=partner))
    assert statuses[plain.pk].status == RenewalStatus.NOT_RENEWED
    assert (statuses[requested.pk].status, statuses[requested.pk].requested_at) == (RenewalStatus.REQUESTED, waiting.requested_at)
    assert statuses[renewed.pk].status == RenewalStatus.RENEWED
    assert far.pk not in statuses and waiting.pk not in statuses  # only active grants nearing their end have one
    # A pending request (the renewal the customer has not answered yet) also counts as requested.
    renew(partner_a.admin, [plain.pk], django_capture_on_commit_callbacks)
    assert renewal_statuses(partner_id=partner.pk, grants=[plain])[plain.pk].status == RenewalStatus.REQUESTED


def test_renewing_a_selection_asks_each_customer_again_for_the_grants_roles(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    first = ending_in(partner, 20, name="First", auto_extend=True)
    second = ending_in(partner, 50, name="Second", roles=[GLOBAL_ADMINISTRATOR])
    batch = renew(partner_a.admin, [first.pk, second.pk, first.pk], django_capture_on_commit_callbacks)
    assert (batch.source, batch.status, batch.total_rows, batch.created_rows) == (BatchSource.RENEWAL, BatchStatus.COMPLETED, 2, 2)
    rows = {row.renews_grant_id: row for row in batch.rows.select_related("invitation")}
    for grant in (first, second):
        invitation = rows[grant.pk].invitation
        assert (invitation.kind, invitation.status, invitation.target_domain) == (
            InvitationKind.DELEGATED_ADMIN, InvitationStatus.PENDING, grant.customer.primary_domain)
        assert (invitation.requested_roles, invitation.grant_duration_days, invitation.grant_auto_extend) == (
            grant.roles, grant.duration_days, grant.auto_extend)
    # Each request is recorded on the grant it renews (the `grant.renewal_requested` webhook event).
    events = AuditEvent.objects.filter(action="grant.renewal_requested")
    assert {event.target_id for event in events} == {str(first.pk), str(second.pk)}


def test_duration_and_auto_extend_chosen_for_all_and_the_single_request_rules_apply(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    helpdesk = ending_in(partner, 20, name="Helpdesk")
    global_admin = ending_in(partner, 20, name="Global", roles=[GLOBAL_ADMINISTRATOR])
    batch = renew(partner_a.admin, [helpdesk.pk, global_admin.pk], django_capture_on_commit_callbacks, duration_days=90, auto_extend=True)
    rows = {row.renews_grant_id: row for row in batch.rows.select_related("invitation")}
    assert (rows[helpdesk.pk].invitation.grant_duration_days, rows[helpdesk.pk].invitation.grant_auto_extend) == (90, True)
    assert (rows[global_admin.pk].status, rows[global_admin.pk].error_code) == (GdapRowStatus.NOT_ALLOWED, "auto_extend_global_admin")
    with pytest.raises(BatchError) as error:
        delegated_admin_renewal_batch_create(membership=partner_a.admin, grant_ids=[helpdesk.pk], duration_days=0)
    assert error.value.code == "invalid_duration"
    with pytest.raises(BatchError):
        delegated_admin_renewal_batch_create(membership=partner_a.admin, grant_ids=[])


def test_already_renewed_rows_are_explained_as_covered(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    partner = partner_a.partner
    pending = ending_in(partner, 20, name="Pending")
    newer = ending_in(partner, 20, name="Newer")
    DelegatedAdminGrantFactory(partner=partner, customer=newer.customer, roles=ROLES, duration_days=365)
    renew(partner_a.admin, [pending.pk], django_capture_on_commit_callbacks)
    batch = renew(partner_a.admin, [pending.pk, newer.pk], django_capture_on_commit_callbacks)
    rows = {row.renews_grant_id: row for row in batch.rows.all()}
    assert (batch.created_rows, batch.covered_rows) == (0, 2)
    assert "waiting" in rows[pending.pk].error_message and "renewed" in rows[newer.pk].error_message


def test_another_partners_grant_reads_as_unknown_and_ended_grants_are_explained(partner_a, partner_b, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    theirs = ending_in(partner_b.partner, 20, name="Theirs")
    rejected = ending_in(partner_a.partner, 20, name="Rejected", status=GrantStatus.REJECTED)
    batch = renew(partner_a.admin, [theirs.pk, 987654321, rejected.pk], django_capture_on_commit_callbacks)
    rows = {row.line: row for row in batch.rows.all()}
    assert [(rows[n].status, rows[n].error_code) for n in (1, 2)] == [(GdapRowStatus.NOT_ALLOWED, "not_found")] * 2
    assert rows[1].given == f"#{theirs.pk}" and rows[1].customer_id is None  # nothing of the other partner's grant shows
    assert rows[3].error_code == "not_renewable"
    assert DelegatedAdminGrant.objects.filter(partner=partner_b.partner).count() == 1 and batch.created_rows == 0


def test_only_members_who_may_request_delegated_admin_renew(partner_a):  # type: ignore[no-untyped-def]
    grant = ending_in(partner_a.partner, 20, name="Refused")
    billing = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.BILLING_ADMIN])
    with pytest.raises(PermissionDeniedError):
        delegated_admin_renewal_batch_create(membership=billing, grant_ids=[grant.pk])


def test_an_approved_renewal_keeps_the_security_groups_of_the_renewed_grant(partner_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    grant = ending_in(partner_a.partner, 20, name="Grouped")
    group = PartnerSecurityGroupFactory(partner=partner_a.partner)
    AccessAssignment.objects.create(grant=grant, security_group=group, roles=ROLES[:1])
    batch = renew(partner_a.admin, [grant.pk], django_capture_on_commit_callbacks)
    invitation = batch.rows.get().invitation
    global_admin = grant.customer.memberships.get().user
    renewal = grant_request_from_invitation(invitation=invitation, customer=grant.customer, actor=global_admin)
    grant_approve(grant=renewal, user=global_admin)
    carried = AccessAssignment.objects.get(grant=renewal, security_group=group)
    assert carried.roles == ROLES[:1]
    assert renewal_statuses(partner_id=partner_a.partner.pk, grants=[grant])[grant.pk].status == RenewalStatus.RENEWED
    assert AuditEvent.objects.filter(action="grant.access_assignments_changed", target_id=str(renewal.pk)).exists()


@pytest.mark.parametrize("grants", [3, 30])
def test_renewal_statuses_of_a_page_take_two_queries_whatever_its_size(partner_a, django_assert_num_queries, grants):  # type: ignore[no-untyped-def]
    for n in range(grants):
        ending_in(partner_a.partner, 20 + n, name=f"Page{n}")
    page = list(grant_list_for_partner(partner=partner_a.partner))
    with django_assert_num_queries(2):
        statuses = renewal_statuses(partner_id=partner_a.partner.pk, grants=page)
    assert len(statuses) == grants
