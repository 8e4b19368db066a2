"""Removing a relationship from the partner side: blockers first, then the relationship, its grants, one email."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import OutboxMessage
from partnercenter.errors import PermissionDeniedError
from partners.choices import PartnerRole
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.ending import relationship_terminate_for_partner
from relationships.errors import RelationshipError
from relationships.models import Relationship
from relationships.removal import RemovalBlockedError, removal_blockers
from subscriptions.services import subscription_provision, subscription_suspend
from tests.customer_services import grant_roles, member


@pytest.fixture
def subscription(agent, customer_a, related):  # type: ignore[no-untyped-def]
    return subscription_provision(membership=agent, customer=customer_a.customer, product_sku="email-plan-1", quantity=3)


def remove_url(agent, customer) -> str:  # type: ignore[no-untyped-def]
    return reverse("relationships:customer_remove", kwargs={"partner_id": agent.partner.partner_id, "tenant_id": customer.tenant_id})


def test_removal_with_an_active_subscription_lists_it_and_refuses(agent, customer_a, related, subscription):
    with pytest.raises(RemovalBlockedError) as error:
        relationship_terminate_for_partner(relationship=related, membership=agent, reason="")
    assert error.value.code == "removal_blocked"
    assert [b.object_id for b in error.value.blockers] == [subscription.pk]
    assert "Email Plan 1" in error.value.blockers[0].label and f"#subscription-{subscription.pk}" in error.value.blockers[0].url
    related.refresh_from_db()
    assert related.status == RelationshipStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="relationship.terminated").exists()


def test_suspended_subscriptions_do_not_block(agent, customer_a, related, subscription):
    subscription_suspend(subscription=subscription, membership=agent)
    assert removal_blockers(partner=agent.partner, customer=customer_a.customer) == []


def test_another_partners_subscriptions_do_not_block(agent, partner_b, customer_a, related):
    Relationship.objects.create(partner=partner_b.partner, customer=customer_a.customer)
    subscription_provision(membership=member(partner_b.partner), customer=customer_a.customer, product_sku="email-plan-1", quantity=1)
    assert removal_blockers(partner=agent.partner, customer=customer_a.customer) == []


def test_removal_ends_relationship_and_grants_audits_and_tells_the_customer_once(
    agent, customer_a, related, subscription, pending_grant, django_capture_on_commit_callbacks
):
    subscription_suspend(subscription=subscription, membership=agent)
    active = grant_roles(agent.partner, customer_a.customer)
    pending = pending_grant()
    with django_capture_on_commit_callbacks(execute=False):
        relationship_terminate_for_partner(relationship=related, membership=agent, reason="Contract over")
    related.refresh_from_db()
    active.refresh_from_db()
    pending.refresh_from_db()
    assert (related.status, related.terminated_by, related.termination_reason) == ("terminated", agent.user, "Contract over")
    assert (active.status, pending.status) == (GrantStatus.TERMINATED, GrantStatus.REJECTED)
    event = AuditEvent.objects.get(action="relationship.terminated")
    assert event.data["by"] == "partner" and event.actor == agent.user
    assert AuditEvent.objects.filter(action="grant.terminated", target_id=str(active.pk)).count() == 1
    emails = OutboxMessage.objects.filter(template="relationships/email/relationship_removed_by_partner")
    assert list(emails.values_list("recipient", flat=True)) == [customer_a.user.email]
    assert not OutboxMessage.objects.filter(template="relationships/email/grant_event").exists()  # one email, not one per grant


def test_removal_twice_and_roles_without_permission_are_refused(agent, partner_a, customer_a, related):
    with pytest.raises(PermissionDeniedError) as error:
        relationship_terminate_for_partner(relationship=related, membership=partner_a.sales, reason="")
    assert error.value.code == "forbidden"
    relationship_terminate_for_partner(relationship=related, membership=agent, reason="")
    with pytest.raises(RelationshipError) as error:
        relationship_terminate_for_partner(relationship=related, membership=agent, reason="")
    assert error.value.code == "not_active"


def test_another_partner_cannot_remove_it(partner_b, customer_a, related):
    with pytest.raises(RelationshipError) as error:
        relationship_terminate_for_partner(relationship=related, membership=member(partner_b.partner), reason="")
    assert error.value.code == "not_found"
    related.refresh_from_db()
    assert related.status == "active"


# --- Pages ---------------------------------------------------------------------------------------


def test_page_lists_blockers_with_links_and_post_refuses(client, agent, customer_a, related, subscription):
    client.force_login(agent.user)
    body = client.get(remove_url(agent, customer_a.customer)).content.decode()
    subscriptions_url = reverse("subscriptions:list", kwargs={"partner_id": agent.partner.partner_id, "tenant_id": customer_a.customer.tenant_id})
    assert f'href="{subscriptions_url}#subscription-{subscription.pk}"' in body
    assert "Remove relationship</button>" not in body
    response = client.post(remove_url(agent, customer_a.customer), {"reason": ""})
    assert response.status_code == 409
    assert "Suspend the active subscriptions" in html.unescape(response.content.decode())
    related.refresh_from_db()
    assert related.status == "active"


def test_page_removes_when_nothing_blocks_and_customer_admin_center_shows_it_ended(client, agent, customer_a, related):
    client.force_login(agent.user)
    response = client.post(remove_url(agent, customer_a.customer), {"reason": "Moving on"}, follow=True)
    assert "has ended" in response.content.decode()
    related.refresh_from_db()
    assert related.status == "terminated"
    assert client.get(remove_url(agent, customer_a.customer)).status_code == 404  # no active relationship any more
    client.force_login(customer_a.user)
    page = client.get(reverse("customers:partners", kwargs={"tenant_id": customer_a.customer.tenant_id})).content.decode()
    assert "Terminated" in page and agent.partner.name in page


@pytest.mark.parametrize("role", [PartnerRole.SALES_AGENT, PartnerRole.HELPDESK_AGENT, PartnerRole.BILLING_ADMIN])
def test_roles_without_removal_permission_get_403(client, partner_a, customer_a, related, role):
    client.force_login(member(partner_a.partner, role).user)
    assert client.get(remove_url(partner_a.admin, customer_a.customer)).status_code == 403
    assert client.post(remove_url(partner_a.admin, customer_a.customer)).status_code == 403


def test_other_tenant_answers_404(client, partner_b, customer_a, related):
    client.force_login(partner_b.admin.user)
    assert client.get(remove_url(partner_b.admin, customer_a.customer)).status_code == 404
