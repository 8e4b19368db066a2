"""Partner settings → Security groups (issue 23): account admins list, create, rename, fill and delete
groups; other roles and other partners get 403/404; GET changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partnercenter.directory_roles import BUNDLES
from partners.choices import PartnerRole
from partners.models import PartnerSecurityGroup
from partners.security_group_services import security_group_create
from relationships.models import AccessAssignment, DelegatedAdminGrant, Relationship
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def test_account_admin_creates_fills_renames_and_deletes_a_group(client, partner_a):
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])
    client.force_login(partner_a.admin.user)
    listing = reverse("partners:security_groups", kwargs={"partner_id": partner_a.partner.partner_id})
    page = client.get(listing)
    assert page.status_code == 200 and "No security groups yet." in page.content.decode()
    assert client.post(listing, {"name": ""}).status_code == 400
    created = client.post(listing, {"name": "Tier 1", "description": "Helpdesk"})
    group = PartnerSecurityGroup.objects.get(partner=partner_a.partner)
    url = reverse("partners:security_group", kwargs={"partner_id": partner_a.partner.partner_id, "object_id": group.object_id})
    assert created.status_code == 302 and created["Location"] == url
    assert client.post(listing, {"name": "Tier 1"}).status_code == 400  # the name is taken
    assert str(group.object_id) in client.get(listing).content.decode()

    assert client.post(url, {"action": "add", "member": agent.pk}).status_code == 302
    assert list(group.members.all()) == [agent]
    assert agent.user.email in client.get(url).content.decode()
    assert client.post(url, {"action": "add", "member": 999999}).status_code == 400
    assert client.post(url, {"action": "save", "name": "Tier 2", "description": ""}).status_code == 302
    group.refresh_from_db()
    assert group.name == "Tier 2"
    assert client.post(url, {"action": "remove", "member": agent.pk}).status_code == 302
    assert not group.members.exists()
    assert client.post(url, {"action": "delete"}).status_code == 302
    assert not PartnerSecurityGroup.objects.filter(pk=group.pk).exists()


def test_other_roles_and_other_partners_cannot_reach_the_pages(client, partner_a, partner_b):
    group = security_group_create(actor=partner_b.admin, partner=partner_b.partner, name="Fabrikam group")
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])
    client.force_login(agent.user)
    assert client.get(reverse("partners:security_groups", kwargs={"partner_id": partner_a.partner.partner_id})).status_code == 403
    client.force_login(partner_a.admin.user)
    foreign = reverse("partners:security_group", kwargs={"partner_id": partner_a.partner.partner_id, "object_id": group.object_id})
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, {"action": "delete"}).status_code == 404
    assert PartnerSecurityGroup.objects.filter(pk=group.pk).exists()


def test_grant_page_assigns_roles_to_a_group_and_removes_them(client, partner_a, customer_a):
    now = timezone.now()
    Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    grant = DelegatedAdminGrant.objects.create(
        partner=partner_a.partner, customer=customer_a.customer, display_name="Northwind support",
        roles=list(BUNDLES["user_management"][1]), duration_days=30, status="active", starts_at=now,
        ends_at=now + timedelta(days=30), request_expires_at=now + timedelta(days=90))
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1")
    url = reverse("relationships:grant", kwargs={"partner_id": partner_a.partner.partner_id, "grant_pk": grant.pk})
    client.force_login(partner_a.admin.user)
    assert "Assign roles to a security group" in client.get(url).content.decode()
    assert client.post(url, {"action": "assign_group", "group": str(group.object_id), "group_roles": grant.roles[:1]}).status_code == 302
    assignment = AccessAssignment.objects.get(grant=grant, security_group=group)
    assert assignment.roles == grant.roles[:1] and assignment.partner_role == ""
    assert "Tier 1" in client.get(url).content.decode()
    client.post(url, {"action": "assign_group", "group": str(group.object_id), "group_roles": ["62e90394-69f5-4237-9190-012177145e10"]})
    assert AccessAssignment.objects.get(pk=assignment.pk).roles == grant.roles[:1]  # not granted: refused, unchanged
    client.post(url, {"action": "assign", f"assign-{PartnerRole.ADMIN_AGENT}": grant.roles})  # the partner-role matrix leaves groups alone
    assert AccessAssignment.objects.filter(pk=assignment.pk).exists()
    assert client.post(url, {"action": "unassign_group", "group": str(group.object_id)}).status_code == 302
    assert not AccessAssignment.objects.filter(security_group=group).exists()
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])
    client.force_login(agent.user)
    assert client.post(url, {"action": "assign_group", "group": str(group.object_id), "group_roles": grant.roles}).status_code == 403
