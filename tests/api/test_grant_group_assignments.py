"""/api/v1/grants/{id}/access-assignments names security groups too (issue 23): `security_groups`
(object id → roles) beside the legacy `assignments` by partner role, through the services the
console and Graph call; another partner's group is a 400 problem, never a 500."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from partners.security_group_services import security_group_add_member, security_group_create
from relationships.models import AccessAssignment
from relationships.selectors import directory_roles_for
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def _put(api, url, body):  # type: ignore[no-untyped-def]
    return api.put(url, body, HTTP_IF_MATCH=api.get(url)["ETag"])


def test_a_group_receives_roles_by_object_id_and_its_members_get_them(api_a, world, partner_a):  # type: ignore[no-untyped-def]
    grant = world["grant"]
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1",
                                  object_id="869713c9-0b28-4d08-8949-ae07ae1bf528")
    member = PartnerMembershipFactory(partner=partner_a.partner, roles=["sales_agent"])
    security_group_add_member(actor=partner_a.admin, group=group, membership=member)
    url = f"/api/v1/grants/{grant.pk}/access-assignments"
    response = _put(api_a, url, {"security_groups": {str(group.object_id): grant.roles[:1]}})
    assert response.status_code == 200, response.json()
    assert response.json()["security_groups"] == {str(group.object_id): grant.roles[:1]}
    assert directory_roles_for(membership=member, customer_id=grant.customer_id) == frozenset(grant.roles[:1])
    event = AuditEvent.objects.get(action="grant.access_assignments_changed", data__object_id=str(group.object_id))
    assert event.actor_label.startswith("API key ")
    assert api_a.get(url).json()["security_groups"] == {str(group.object_id): grant.roles[:1]}


def test_the_legacy_role_form_leaves_group_assignments_alone_and_vice_versa(api_a, world, partner_a):  # type: ignore[no-untyped-def]
    grant = world["grant"]
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1")
    url = f"/api/v1/grants/{grant.pk}/access-assignments"
    assert _put(api_a, url, {"security_groups": {str(group.object_id): grant.roles}}).status_code == 200
    legacy = _put(api_a, url, {"assignments": {"admin_agent": grant.roles[:1]}})
    assert legacy.status_code == 200, legacy.json()
    assert legacy.json() == {"assignments": {"admin_agent": grant.roles[:1]}, "security_groups": {str(group.object_id): grant.roles}}
    groups_only = _put(api_a, url, {"security_groups": {}})
    assert groups_only.json() == {"assignments": {"admin_agent": grant.roles[:1]}, "security_groups": {}}
    assert not AccessAssignment.objects.filter(security_group=group).exists()


def test_an_empty_list_removes_a_group_and_both_kinds_change_in_one_request(api_a, world, partner_a):  # type: ignore[no-untyped-def]
    grant = world["grant"]
    first = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="First")
    second = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Second")
    url = f"/api/v1/grants/{grant.pk}/access-assignments"
    _put(api_a, url, {"security_groups": {str(first.object_id): grant.roles, str(second.object_id): grant.roles}})
    response = _put(api_a, url, {"assignments": {}, "security_groups": {str(first.object_id): [], str(second.object_id): grant.roles[:1]}})
    assert response.status_code == 200, response.json()
    assert response.json() == {"assignments": {}, "security_groups": {str(second.object_id): grant.roles[:1]}}


def test_another_partners_group_or_an_unknown_id_is_a_400_problem_and_nothing_changes(api_a, world, partner_a, partner_b):  # type: ignore[no-untyped-def]
    grant = world["grant"]
    theirs = security_group_create(actor=partner_b.admin, partner=partner_b.partner, name="Fabrikam tier 1")
    ours = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Ours")
    url = f"/api/v1/grants/{grant.pk}/access-assignments"
    before = AuditEvent.objects.count()
    for key in (str(theirs.object_id), "00000000-0000-0000-0000-000000000001"):
        response = _put(api_a, url, {"assignments": {"admin_agent": grant.roles}, "security_groups": {str(ours.object_id): grant.roles, key: grant.roles}})
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "unknown_security_group"
        assert response["Content-Type"].startswith("application/problem+json")
    assert AuditEvent.objects.count() == before
    assert not AccessAssignment.objects.filter(grant=grant).exists()
    malformed = _put(api_a, url, {"security_groups": {"not-a-guid": grant.roles}})
    assert malformed.status_code == 400
    assert _put(api_a, url, {}).status_code == 400
    assert _put(api_a, url, {"security_groups": {str(ours.object_id): ["not-a-role"]}}).status_code in (409, 422)


def test_only_keys_with_grants_write_and_only_on_the_partners_own_grants(client_for, world, partner_a, partner_b):  # type: ignore[no-untyped-def]
    grant = world["grant"]
    ours = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Ours")
    url = f"/api/v1/grants/{grant.pk}/access-assignments"
    reader = client_for(partner_a.admin, scopes=["grants:read"])
    assert reader.put(url, {"security_groups": {str(ours.object_id): grant.roles}}, HTTP_IF_MATCH=reader.get(url)["ETag"]).status_code == 403
    other = client_for(partner_b.admin, scopes=["grants:write"])
    assert other.put(url, {"security_groups": {str(ours.object_id): grant.roles}}, HTTP_IF_MATCH="*").status_code == 404
    assert not AccessAssignment.objects.filter(grant=grant).exists()
