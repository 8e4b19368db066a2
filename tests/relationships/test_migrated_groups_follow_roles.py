"""Migrated groups follow their partner role (issue 23, item 3): a "<Role> (migrated)" group keeps its
members equal to the role's holders — in the transaction of each role change, audited, raising webhooks —
until an account admin edits its members by hand; then it is an ordinary group (mark cleared, its
assignments become the group's) and later role changes leave it alone."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditEvent
from notifications.models import WebhookDelivery
from partnercenter.directory_roles import USER_READ_ROLES
from partners.choices import PartnerRole
from partners.models import PartnerSecurityGroup
from partners.security_group_services import (
    security_group_add_member,
    security_group_create,
    security_group_remove_member,
)
from partners.services import partner_membership_set_roles
from partners.webhook_services import webhook_subscription_create
from relationships.models import AccessAssignment
from relationships.selectors import effective_access
from relationships.services import access_assignments_set, grant_approve
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def _run(app: str, name: str, function: str) -> None:
    migration = importlib.import_module(f"{app}.migrations.{name}")
    state = MigrationExecutor(connection).loader.project_state((app, name))
    getattr(migration, function)(state.apps, None)


@pytest.fixture
def migrated(partner_a, customer_a, related, pending_grant, agent, helpdesk):  # type: ignore[no-untyped-def]
    """A grant whose role assignments were moved onto "<Role> (migrated)" groups, which now follow their roles."""
    grant = grant_approve(grant=pending_grant(), user=customer_a.user)
    _run("relationships", "0007_access_assignment_groups_secgroups", "to_groups")
    _run("partners", "0011_migrated_groups_follow_roles", "follow")
    groups = {g.follows_partner_role: g for g in PartnerSecurityGroup.objects.filter(partner=partner_a.partner)}
    assert set(groups) == {PartnerRole.ADMIN_AGENT, PartnerRole.HELPDESK_AGENT}
    return grant, groups


def test_gaining_and_losing_a_role_moves_the_user_in_and_out_of_its_migrated_group(migrated, partner_a, customer_a):  # type: ignore[no-untyped-def]
    _grant, groups = migrated
    webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/unused",
                                event_types=["security_group.member_added", "security_group.member_removed"])
    newcomer = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.SALES_AGENT])
    assert not effective_access(membership=newcomer, customer=customer_a.customer).allows_any(USER_READ_ROLES)

    partner_membership_set_roles(membership=newcomer, roles=[PartnerRole.SALES_AGENT, PartnerRole.ADMIN_AGENT], actor=partner_a.admin)
    assert newcomer in groups[PartnerRole.ADMIN_AGENT].members.all()
    assert effective_access(membership=newcomer, customer=customer_a.customer).allows_any(USER_READ_ROLES)
    added = AuditEvent.objects.get(action="security_group.member_added", target_id=str(groups[PartnerRole.ADMIN_AGENT].pk))
    assert added.data["by"] == "partner_role" and added.data["after"] == {"member": newcomer.user.email}
    assert added.actor == partner_a.admin.user

    partner_membership_set_roles(membership=newcomer, roles=[PartnerRole.SALES_AGENT], actor=partner_a.admin)
    assert newcomer not in groups[PartnerRole.ADMIN_AGENT].members.all()
    assert not effective_access(membership=newcomer, customer=customer_a.customer).allows_any(USER_READ_ROLES)
    assert list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True)) == [
        "security_group.member_added", "security_group.member_removed"]
    assert groups[PartnerRole.HELPDESK_AGENT].members.filter(pk=newcomer.pk).count() == 0  # other roles' groups untouched


def test_the_role_matrix_still_edits_what_a_following_group_receives(migrated, partner_a, customer_a, agent):  # type: ignore[no-untyped-def]
    grant, groups = migrated
    access_assignments_set(grant=grant, actor=partner_a.admin, assignments={PartnerRole.ADMIN_AGENT: grant.roles[:1]})
    row = AccessAssignment.objects.get(grant=grant, partner_role=PartnerRole.ADMIN_AGENT)
    assert row.security_group == groups[PartnerRole.ADMIN_AGENT] and row.roles == grant.roles[:1]


def test_a_hand_edit_makes_it_an_ordinary_group_that_no_role_change_touches(migrated, partner_a, customer_a, agent):  # type: ignore[no-untyped-def]
    grant, groups = migrated
    group = groups[PartnerRole.ADMIN_AGENT]
    sales = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.SALES_AGENT])
    security_group_add_member(actor=partner_a.admin, group=group, membership=sales)
    group.refresh_from_db()
    assert group.follows_partner_role == ""
    event = AuditEvent.objects.filter(action="security_group.member_added", target_id=str(group.pk)).latest("pk")
    assert event.data["stopped_following_partner_role"] == PartnerRole.ADMIN_AGENT
    row = AccessAssignment.objects.get(grant=grant, security_group=group)
    assert row.partner_role == ""  # now the group's assignment, edited as such everywhere

    partner_membership_set_roles(membership=agent, roles=[PartnerRole.SALES_AGENT], actor=partner_a.admin)
    assert agent in group.members.all()  # losing the role no longer removes them
    newcomer = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.SALES_AGENT])
    partner_membership_set_roles(membership=newcomer, roles=[PartnerRole.ADMIN_AGENT], actor=partner_a.admin)
    assert newcomer not in group.members.all()
    security_group_remove_member(actor=partner_a.admin, group=group, membership=sales)  # an ordinary edit: nothing more to clear
    assert "stopped_following_partner_role" not in AuditEvent.objects.filter(target_id=str(group.pk)).latest("pk").data


def test_the_data_step_resyncs_and_skips_hand_edited_and_look_alike_groups(partner_a, customer_a, related, pending_grant, agent):  # type: ignore[no-untyped-def]
    grant_approve(grant=pending_grant(), user=customer_a.user)
    _run("relationships", "0007_access_assignment_groups_secgroups", "to_groups")
    admin_group = PartnerSecurityGroup.objects.get(partner=partner_a.partner, name="Admin agent (migrated)")
    helpdesk_group = PartnerSecurityGroup.objects.get(partner=partner_a.partner, name="Helpdesk agent (migrated)")
    look_alike = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Sales agent (migrated)")
    late = PartnerMembershipFactory(partner=partner_a.partner, roles=[PartnerRole.ADMIN_AGENT])  # got the role after 0007
    security_group_add_member(actor=partner_a.admin, group=helpdesk_group, membership=agent)  # edited by hand since
    _run("partners", "0011_migrated_groups_follow_roles", "follow")
    _run("partners", "0011_migrated_groups_follow_roles", "follow")  # again: nothing more
    admin_group.refresh_from_db()
    helpdesk_group.refresh_from_db()
    look_alike.refresh_from_db()
    assert admin_group.follows_partner_role == PartnerRole.ADMIN_AGENT and set(admin_group.members.all()) == {agent, late}
    assert helpdesk_group.follows_partner_role == "" and look_alike.follows_partner_role == ""
    synced = AuditEvent.objects.filter(action="security_group.member_added", target_id=str(admin_group.pk))
    assert [e.data["after"]["member"] for e in synced] == [late.user.email]
    assert synced.get().actor_label.startswith("migration partners 0011")


@pytest.mark.parametrize(("language", "text"), [("en", "Members follow the partner role Admin agent"),
                                                 ("ja", "メンバーはパートナー ロール 管理エージェント に連動します")])
def test_the_group_page_says_it_follows_the_role_until_edited(client, settings, migrated, partner_a, language, text):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    _grant, groups = migrated
    group = groups[PartnerRole.ADMIN_AGENT]
    url = reverse("partners:security_group", kwargs={"partner_id": partner_a.partner.partner_id, "object_id": group.object_id})
    client.force_login(partner_a.admin.user)
    page = client.get(url)
    assert page.status_code == 200 and text in page.content.decode()
    client.post(url, {"action": "remove", "member": group.members.first().pk})
    assert 'id="follows-role"' not in client.get(url).content.decode()
