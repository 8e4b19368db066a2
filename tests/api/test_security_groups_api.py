"""/api/v1/security-groups (issue 23): grants:read lists, grants:write changes; other partners' groups are 404."""

from __future__ import annotations

import pytest

from partners.choices import PartnerRole
from partners.models import PartnerSecurityGroup
from partners.security_group_services import security_group_create
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def test_create_read_update_members_delete(partner_a, client_for):
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])
    api = client_for(partner_a.admin, scopes=["grants:write"])
    created = api.post("/api/v1/security-groups", {"name": "Tier 1", "description": "Helpdesk",
                                                   "object_id": "869713c9-0b28-4d08-8949-ae07ae1bf528"})
    assert created.status_code == 201, created.content
    assert created.json()["object_id"] == "869713c9-0b28-4d08-8949-ae07ae1bf528" and created.json()["members"] == []
    url = "/api/v1/security-groups/869713c9-0b28-4d08-8949-ae07ae1bf528"
    assert api.post("/api/v1/security-groups", {"name": "Tier 1"}).status_code == 422  # name taken
    assert api.post("/api/v1/security-groups", {"name": "X", "object_id": "nope"}).status_code == 400
    added = api.post(f"{url}/members", {"email": agent.user.email})
    assert added.status_code == 200 and added.json()["members"] == [{"id": agent.pk, "email": agent.user.email}]
    assert api.post(f"{url}/members", {"email": "nobody@example.com"}).status_code == 404
    listed = api.get("/api/v1/security-groups")
    assert listed.status_code == 200 and [g["name"] for g in listed.json()["results"]] == ["Tier 1"]
    renamed = api.patch(url, {"name": "Tier 2"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Tier 2"
    assert api.delete(f"{url}/members/{agent.pk}").status_code == 204
    assert api.get(url).json()["members"] == []
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_scopes_and_tenancy(partner_a, partner_b, client_for):
    theirs = security_group_create(actor=partner_b.admin, partner=partner_b.partner, name="Fabrikam")
    reader = client_for(partner_a.admin, scopes=["grants:read"])
    assert reader.get("/api/v1/security-groups").status_code == 200
    assert reader.post("/api/v1/security-groups", {"name": "Nope"}).status_code == 403
    other_scope = client_for(partner_a.admin, scopes=["customers:read"])
    assert other_scope.get("/api/v1/security-groups").status_code == 403
    writer = client_for(partner_a.admin, scopes=["grants:write"])
    assert writer.get(f"/api/v1/security-groups/{theirs.object_id}").status_code == 404
    assert writer.delete(f"/api/v1/security-groups/{theirs.object_id}").status_code == 404
    assert writer.get("/api/v1/security-groups/not-a-guid").status_code == 404
    assert PartnerSecurityGroup.objects.filter(pk=theirs.pk).exists()
