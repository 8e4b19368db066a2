"""Security group changes are webhook events (issue 23): created, updated, deleted, member added and
removed, one per change and none for a no-op, addressed by the group's object id."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from notifications.models import WebhookDelivery
from notifications.webhook_events import EVENT_FOR_ACTION, WebhookEventType
from partners.security_group_services import (
    security_group_add_member,
    security_group_create,
    security_group_delete,
    security_group_remove_member,
    security_group_update,
)
from partners.webhook_services import webhook_subscription_create
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db

GROUP_EVENTS = ["security_group.created", "security_group.updated", "security_group.deleted",
                "security_group.member_added", "security_group.member_removed"]


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True


def test_every_group_change_raises_one_event_and_a_no_op_none(partner_a, partner_b):  # type: ignore[no-untyped-def]
    webhook_subscription_create(membership=partner_a.admin, url="http://127.0.0.1:9/unused", event_types=GROUP_EVENTS)
    webhook_subscription_create(membership=partner_b.admin, url="http://127.0.0.1:9/unused", event_types=GROUP_EVENTS)
    agent = PartnerMembershipFactory(partner=partner_a.partner, roles=["admin_agent"])
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Tier 1",
                                  object_id="869713c9-0b28-4d08-8949-ae07ae1bf528")
    security_group_update(actor=partner_a.admin, group=group, name="Tier 2")
    security_group_update(actor=partner_a.admin, group=group, name="Tier 2")  # unchanged: no event
    security_group_add_member(actor=partner_a.admin, group=group, membership=agent)
    security_group_add_member(actor=partner_a.admin, group=group, membership=agent)  # already a member: no event
    security_group_remove_member(actor=partner_a.admin, group=group, membership=agent)
    security_group_delete(actor=partner_a.admin, group=group)
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.event_type for d in deliveries] == GROUP_EVENTS[:2] + GROUP_EVENTS[3:] + [GROUP_EVENTS[2]]
    assert {d.partner_id for d in deliveries} == {partner_a.partner.pk}  # partner B hears nothing of A's groups
    added = json.loads(deliveries[2].body)
    assert added["data"]["object"] == {"type": "security_group", "id": "869713c9-0b28-4d08-8949-ae07ae1bf528",
                                       "url": added["data"]["object"]["url"]}
    assert added["data"]["object"]["url"].endswith("/api/v1/security-groups/869713c9-0b28-4d08-8949-ae07ae1bf528")
    assert added["data"]["after"] == {"member": agent.user.email} and added["data"]["security_group"] == "Tier 2"
    assert json.loads(deliveries[1].body)["data"]["before"]["name"] == "Tier 1"
    assert json.loads(deliveries[-1].body)["data"]["before"]["members"] == []


def test_the_event_types_are_registered_and_documented() -> None:
    registered = {str(value) for value in EVENT_FOR_ACTION.values()}
    documented = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()))
    for event_type in GROUP_EVENTS:
        assert event_type in WebhookEventType.values and event_type in registered and event_type in documented
