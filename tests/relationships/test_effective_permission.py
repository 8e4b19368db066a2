"""Effective permission = partner roles ∩ roles of active grants assigned to them; no cache window."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.selectors import customer_actor
from partnercenter.directory_roles import USER_READ_ROLES
from relationships.selectors import effective_access
from relationships.services import grant_approve, grant_terminate
from tests.factories import PartnerMembershipFactory

ROLES = ["account_admin", "admin_agent", "sales_agent", "helpdesk_agent", "billing_admin"]
# With the default bundle (user management), who may read the customer's users when the grant is active:
ALLOWED_WHEN_ACTIVE = {"admin_agent": True, "helpdesk_agent": True, "account_admin": False, "sales_agent": False, "billing_admin": False}


def grant_in_state(state, pending_grant, customer_a):  # type: ignore[no-untyped-def]
    if state == "none":
        return None
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    if state == "expired":
        grant.__class__.objects.filter(pk=grant.pk).update(status="expired", ends_at=timezone.now() - timedelta(seconds=1))
    elif state == "terminated":
        grant_terminate(grant=grant, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="")
    elif state == "ended_not_swept":  # past its end, beat not run yet: already no access
        grant.__class__.objects.filter(pk=grant.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    return grant


@pytest.mark.parametrize("state", ["active", "expired", "terminated", "none", "ended_not_swept"])
@pytest.mark.parametrize("partner_role", ROLES)
def test_effective_permission_matrix(partner_role, state, partner_a, customer_a, related, pending_grant):
    grant_in_state(state, pending_grant, customer_a)
    membership = PartnerMembershipFactory(partner=partner_a.partner, roles=[partner_role])
    access = effective_access(membership=membership, customer=customer_a.customer)
    expected = state == "active" and ALLOWED_WHEN_ACTIVE[partner_role]
    assert access.allows_any(USER_READ_ROLES) is expected
    if not expected:
        assert access.reason


def test_customer_removing_roles_denies_the_partners_very_next_request(client, partner_a, customer_a, related, pending_grant, agent):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    url = reverse("relationships:customer_users", kwargs={"partner_id": partner_a.partner.partner_id, "tenant_id": customer_a.customer.tenant_id})
    client.force_login(agent.user)
    assert client.get(url).status_code == 200
    grant_terminate(grant=grant, actor=customer_actor(user=customer_a.user, customer=customer_a.customer), reason="")
    response = client.get(url)
    assert response.status_code == 403
    assert "removed your organisation's admin roles" in html.unescape(response.content.decode())


def test_reseller_relationship_without_a_grant_shows_no_users(client, partner_a, customer_a, related, agent):
    client.force_login(agent.user)
    url = reverse("relationships:customer_users", kwargs={"partner_id": partner_a.partner.partner_id, "tenant_id": customer_a.customer.tenant_id})
    response = client.get(url)
    assert response.status_code == 403
    assert "has not granted your organisation any admin roles" in response.content.decode()
    assert customer_a.user.email not in response.content.decode()
