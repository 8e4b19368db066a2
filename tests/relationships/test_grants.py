"""Delegated admin grants: every transition, every refusal, access assignments, the customer's control."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from customers.selectors import customer_actor
from partnercenter.directory_roles import BY_ID
from partnercenter.errors import PermissionDeniedError
from partners.authz import Actor
from relationships.choices import GrantStatus
from relationships.ending import relationship_terminate
from relationships.errors import GrantError, RelationshipError
from relationships.services import (
    access_assignments_set,
    grant_approve,
    grant_reject,
    grant_terminate,
    validate_grant_request,
)
from tests.factories import CustomerMembershipFactory

USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"


@pytest.mark.parametrize(
    ("roles", "days", "auto_extend", "code"),
    [
        ([USER_ADMIN], 0, False, "invalid_duration"),
        ([USER_ADMIN], 731, False, "invalid_duration"),
        ([], 30, False, "roles_required"),
        (["not-a-role"], 30, False, "unknown_role"),
        (["62e90394-69f5-4237-9190-012177145e10"], 30, True, "auto_extend_global_admin"),
    ],
)
def test_invalid_requests_are_refused(roles, days, auto_extend, code):
    with pytest.raises(GrantError) as caught:
        validate_grant_request(roles=roles, duration_days=days, auto_extend=auto_extend)
    assert caught.value.code == code


def test_duration_bounds_are_accepted():
    assert validate_grant_request(roles=[USER_ADMIN], duration_days=1, auto_extend=False) == [USER_ADMIN]
    assert validate_grant_request(roles=[USER_ADMIN], duration_days=730, auto_extend=True) == [USER_ADMIN]


def test_approval_activates_for_the_duration_and_applies_default_assignments(pending_grant, customer_a, django_capture_on_commit_callbacks):
    grant = pending_grant(duration_days=30)
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_approve(grant=grant, user=customer_a.user)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    assert grant.ends_at - grant.starts_at == timedelta(days=30)
    assignments = {a.partner_role: a.roles for a in grant.access_assignments.all()}
    assert assignments["admin_agent"] == grant.roles
    assert assignments["helpdesk_agent"] == [r for r in grant.roles if BY_ID[r].helpdesk]
    assert AuditEvent.objects.filter(action="grant.approved", target_id=str(grant.pk), actor=customer_a.user).count() == 1
    assert mail.outbox and all("approved" in m.subject for m in mail.outbox)  # the partner side is told


def test_approving_an_expired_request_is_refused(pending_grant, customer_a):
    grant = pending_grant()
    with time_machine.travel(timezone.now() + timedelta(days=91)), pytest.raises(GrantError) as caught:
        grant_approve(grant=grant, user=customer_a.user)
    assert caught.value.code == "not_pending"


def test_approving_twice_is_refused(pending_grant, customer_a):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    with pytest.raises(GrantError):
        grant_approve(grant=grant, user=customer_a.user)


def test_only_a_global_admin_approves_or_rejects(pending_grant, customer_a):
    grant = pending_grant()
    reader = CustomerMembershipFactory(customer=customer_a.customer, role="user")
    for action in (grant_approve, grant_reject):
        with pytest.raises(PermissionDeniedError) as caught:  # one refusal type (partners.authz)
            action(grant=grant, user=reader.user)
        assert caught.value.code == "forbidden"
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVAL_PENDING


def test_rejection_records_the_reason(pending_grant, customer_a):
    grant = grant_reject(grant=pending_grant(), user=customer_a.user, reason="Not now")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REJECTED and grant.termination_reason == "Not now"
    with pytest.raises(GrantError):
        grant_approve(grant=grant, user=customer_a.user)


def test_customer_removes_roles_and_keeps_the_relationship(pending_grant, customer_a, related):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    grant_terminate(grant=grant, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="")
    grant.refresh_from_db()
    related.refresh_from_db()
    assert grant.status == GrantStatus.TERMINATED and related.status == "active"
    with pytest.raises(GrantError):
        grant_terminate(grant=grant, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="")


def test_a_sales_agent_cannot_terminate_but_an_admin_agent_can(pending_grant, customer_a, partner_a, agent):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    with pytest.raises(PermissionDeniedError):
        grant_terminate(grant=grant, actor=partner_a.sales, reason="")
    grant_terminate(grant=grant, actor=agent, reason="Project over")
    assert AuditEvent.objects.get(action="grant.terminated").data["by"] == "partner"


def test_staff_termination_needs_a_reason(pending_grant, customer_a, admin_user):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    with pytest.raises(GrantError) as caught:
        grant_terminate(grant=grant, actor=Actor.staff(admin_user), reason=" ")
    assert caught.value.code == "reason_required"
    grant_terminate(grant=grant, actor=Actor.staff(admin_user), reason="Fraud report #12")


def test_ending_the_relationship_ends_its_grants_and_rejects_pending_requests(pending_grant, customer_a, related):
    active = grant_approve(grant=pending_grant(name="a"), user=customer_a.user)
    waiting = pending_grant(name="b")
    relationship_terminate(relationship=related, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="Switching partner")
    active.refresh_from_db()
    waiting.refresh_from_db()
    related.refresh_from_db()
    assert (related.status, active.status, waiting.status) == ("terminated", "terminated", "rejected")
    with pytest.raises(RelationshipError):
        relationship_terminate(relationship=related, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="")


def test_account_admin_edits_access_assignments_within_the_granted_roles(pending_grant, customer_a, partner_a, agent):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    access_assignments_set(grant=grant, actor=partner_a.admin, assignments={"helpdesk_agent": [USER_ADMIN], "admin_agent": []})
    assert {a.partner_role: a.roles for a in grant.access_assignments.all()} == {"helpdesk_agent": [USER_ADMIN]}
    with pytest.raises(GrantError) as caught:
        access_assignments_set(grant=grant, actor=partner_a.admin, assignments={"admin_agent": ["62e90394-69f5-4237-9190-012177145e10"]})
    assert caught.value.code == "not_granted"
    with pytest.raises(PermissionDeniedError):
        access_assignments_set(grant=grant, actor=agent, assignments={"admin_agent": [USER_ADMIN]})
