"""Partner settings → Security groups (issue 23): account admins list, create, rename, fill and delete
groups; other roles and other partners get 403/404; GET changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.choices import PartnerRole
from partners.models import PartnerSecurityGroup
from partners.security_group_services import security_group_create
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
