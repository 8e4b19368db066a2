"""Partner security groups as access containers (issue 23, item 1): a member of a group receives the
roles a customer's grant assigns to the group; a non-member does not, whatever their partner roles."""

from __future__ import annotations

import html
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from audit.models import AuditEvent
from partnercenter.directory_roles import USER_READ_ROLES
from partnercenter.errors import PermissionDeniedError
from partners.authz import TargetNotFoundError
from partners.choices import PartnerRole
from partners.models import PartnerSecurityGroup
from partners.security_group_services import (
    SecurityGroupError,
    security_group_add_member,
    security_group_create,
    security_group_delete,
    security_group_remove_member,
    security_group_update,
)
from relationships.errors import GrantError
from relationships.models import AccessAssignment
from relationships.selectors import effective_access
from relationships.services import access_assignment_for_group_remove, access_assignment_for_group_set, grant_approve
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(partner_a):  # type: ignore[no-untyped-def]
    """A partner user whose roles alone give no access to customers' users."""
    return PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.SALES_AGENT])


def test_group_member_receives_the_groups_roles_and_a_non_member_does_not(client, partner_a, customer_a, related, pending_grant, sales):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    outsider = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.SALES_AGENT])
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1")
    security_group_add_member(actor=partner_a.admin, group=group, membership=sales)
    url = reverse("relationships:customer_users", kwargs={"partner_id": partner_a.partner.partner_id,
                                                          "tenant_id": customer_a.customer.tenant_id})
    client.force_login(sales.user)
    assert client.get(url).status_code == 403  # a member of a group with nothing assigned yet

    access_assignment_for_group_set(grant=grant, actor=partner_a.admin, group=group, roles=list(grant.roles))
    assert effective_access(membership=sales, customer=customer_a.customer).allows_any(USER_READ_ROLES)
    assert client.get(url).status_code == 200  # the member opens the customer's users
    client.force_login(outsider.user)
    refused = client.get(url)
    assert refused.status_code == 403  # the same roles, not in the group
    assert "security groups" in html.unescape(refused.content.decode())

    security_group_remove_member(actor=partner_a.admin, group=group, membership=sales)
    client.force_login(sales.user)
    assert client.get(url).status_code == 403  # removed: the very next request


def test_removing_the_assignment_or_the_group_takes_the_access_away(partner_a, customer_a, related, pending_grant, sales):
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1")
    security_group_add_member(actor=partner_a.admin, group=group, membership=sales)
    access_assignment_for_group_set(grant=grant, actor=partner_a.admin, group=group, roles=list(grant.roles))
    access_assignment_for_group_remove(grant=grant, actor=partner_a.admin, group=group)
    assert not effective_access(membership=sales, customer=customer_a.customer).allows_any(USER_READ_ROLES)
    access_assignment_for_group_set(grant=grant, actor=partner_a.admin, group=group, roles=list(grant.roles))
    security_group_delete(actor=partner_a.admin, group=group)
    assert not AccessAssignment.objects.filter(security_group__isnull=False).exists()
    assert not effective_access(membership=sales, customer=customer_a.customer).allows_any(USER_READ_ROLES)


def test_legacy_partner_role_assignments_still_apply(partner_a, customer_a, related, pending_grant, agent):
    grant_approve(grant=pending_grant(), user=customer_a.user)  # defaults by partner role
    assert effective_access(membership=agent, customer=customer_a.customer).allows_any(USER_READ_ROLES)


def test_only_granted_roles_and_own_groups_and_active_grants(partner_a, partner_b, customer_a, related, pending_grant):
    pending = pending_grant()
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1")
    with pytest.raises(GrantError):  # not active yet
        access_assignment_for_group_set(grant=pending, actor=partner_a.admin, group=group, roles=list(pending.roles))
    grant = grant_approve(grant=pending, user=customer_a.user)
    with pytest.raises(GrantError) as not_granted:
        access_assignment_for_group_set(grant=grant, actor=partner_a.admin, group=group, roles=["62e90394-69f5-4237-9190-012177145e10"])
    assert not_granted.value.code == "not_granted"
    other = security_group_create(actor=partner_b.admin, partner=partner_b.partner, name="Tier 1")
    with pytest.raises(GrantError):
        access_assignment_for_group_set(grant=grant, actor=partner_a.admin, group=other, roles=list(grant.roles))
    with pytest.raises(TargetNotFoundError):  # another partner's grant
        access_assignment_for_group_set(grant=grant, actor=partner_b.admin, group=other, roles=list(grant.roles))


def test_group_services_need_an_account_admin_are_tenant_checked_and_audited(partner_a, partner_b, sales):
    with pytest.raises(PermissionDeniedError):
        security_group_create(actor=sales, partner=partner_a.partner, name="Mine")
    with pytest.raises(TargetNotFoundError):
        security_group_create(actor=partner_b.admin, partner=partner_a.partner, name="Theirs")
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="  Tier   1 ", description="First line")
    assert group.name == "Tier 1" and group.object_id
    with pytest.raises(SecurityGroupError) as taken:
        security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1")
    assert taken.value.code == "name_taken"
    with pytest.raises(SecurityGroupError) as bad_id:
        security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="X", object_id="not-a-guid")
    assert bad_id.value.code == "invalid_object_id"
    with pytest.raises(SecurityGroupError):
        security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="")
    with pytest.raises(TargetNotFoundError):
        security_group_update(actor=partner_b.admin, group=group, name="Hijacked")
    with pytest.raises(SecurityGroupError) as foreign:  # a user of another partner cannot be a member
        security_group_add_member(actor=partner_a.admin, group=group, membership=partner_b.admin)
    assert foreign.value.code == "not_a_member"
    renamed = security_group_update(actor=partner_a.admin, group=group, name="Tier 2")
    assert renamed.name == "Tier 2" and renamed.object_id == group.object_id
    assert security_group_add_member(actor=partner_a.admin, group=group, membership=sales) is True
    assert security_group_add_member(actor=partner_a.admin, group=group, membership=sales) is False
    assert security_group_remove_member(actor=partner_a.admin, group=group, membership=sales) is True
    security_group_delete(actor=partner_a.admin, group=group)
    assert not PartnerSecurityGroup.objects.filter(pk=group.pk).exists()
    actions = list(AuditEvent.objects.filter(partner_id=partner_a.partner.pk, action__startswith="security_group.")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["security_group.created", "security_group.changed", "security_group.member_added",
                       "security_group.member_removed", "security_group.deleted"]


def test_data_migration_moves_role_assignments_onto_one_group_per_role(partner_a, customer_a, related, pending_grant, agent, helpdesk):
    """Before groups: assignments by partner role. The data step makes "<Role> (migrated)" groups with every
    holder of the role, and points the assignments at them: everybody keeps their access."""
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    second = grant_approve(grant=pending_grant(name="Northwind second"), user=customer_a.user)
    assert AccessAssignment.objects.filter(security_group__isnull=True).count() == 4
    migration = importlib.import_module("relationships.migrations.0007_access_assignment_groups_secgroups")
    state = MigrationExecutor(connection).loader.project_state(("relationships", "0007_access_assignment_groups_secgroups"))
    migration.to_groups(state.apps, None)
    migration.to_groups(state.apps, None)  # again: nothing more
    groups = PartnerSecurityGroup.objects.filter(partner=partner_a.partner).order_by("name")
    assert [g.name for g in groups] == ["Admin agent (migrated)", "Helpdesk agent (migrated)"]
    assert set(groups[0].members.all()) == {agent} and set(groups[1].members.all()) == {helpdesk}
    for assignment in AccessAssignment.objects.filter(grant__in=[grant, second]):
        assert assignment.security_group is not None and assignment.partner_role  # kept as where it came from
    assert effective_access(membership=agent, customer=customer_a.customer).allows_any(USER_READ_ROLES)
    assert effective_access(membership=helpdesk, customer=customer_a.customer).allows_any(USER_READ_ROLES)
