"""One function tells a person something: an in-app notification always, an email as they chose
(right away, in the daily digest, or none); telling twice is a no-op (issue 24 item 6)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind
from notifications.inbox import (
    EmailSpec,
    notification_mark_all_read,
    notification_mark_read,
    notifications_for,
    notify_user,
    unread_count,
)
from notifications.models import Notification, OutboxMessage
from notifications.preferences import notification_preferences_set
from tests.notifications.sample_email import CONTEXT, TEMPLATE

pytestmark = pytest.mark.django_db
P = NotificationAudience.PARTNER
ACCEPTED = NotificationKind.INVITATION_ACCEPTED


def tell(tenant, key="invitation:1:accepted", **params):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return notify_user(user=tenant.sales.user, kind=ACCEPTED, audience=P, partner_id=tenant.partner.pk,
                           params={"customer": "Northwind", "invitation": 1, **params}, url="/p/x/invitations/",
                           email=EmailSpec(template=TEMPLATE, context=CONTEXT, idempotency_key=f"{key}:{tenant.sales.user.pk}"))


def choose(tenant, delivery):  # type: ignore[no-untyped-def]
    notification_preferences_set(user=tenant.sales.user, audience=P, partner_id=tenant.partner.pk, choices={ACCEPTED: delivery})


@pytest.mark.parametrize(("delivery", "emails"), [(NotificationDelivery.IMMEDIATE, 1), (NotificationDelivery.DIGEST, 0),
                                                  (NotificationDelivery.OFF, 0)])
def test_the_person_is_always_told_in_app_and_emailed_only_when_they_want_it_right_away(partner_a, delivery, emails,
                                                                                          django_capture_on_commit_callbacks):
    choose(partner_a, delivery)
    with django_capture_on_commit_callbacks(execute=True):
        notification = tell(partner_a)
    assert notification.delivery == delivery and notification.read_at is None
    assert OutboxMessage.objects.count() == emails
    assert len(mail.outbox) == emails


def test_telling_twice_about_the_same_thing_is_a_no_op(partner_a):
    first, second = tell(partner_a), tell(partner_a)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1 and OutboxMessage.objects.count() == 1


def test_marking_read_one_and_all_counts_only_the_persons_own_in_this_partner(partner_a, partner_b):
    mine = [tell(partner_a, key=f"k{n}") for n in range(3)]
    other_partner = tell(partner_b, key="elsewhere")
    assert unread_count(user=partner_a.sales.user, partner_id=partner_a.partner.pk) == 3
    assert notification_mark_read(user=partner_a.sales.user, notification_id=mine[0].pk, partner_id=partner_a.partner.pk)
    assert unread_count(user=partner_a.sales.user, partner_id=partner_a.partner.pk) == 2
    assert notification_mark_all_read(user=partner_a.sales.user, partner_id=partner_a.partner.pk) == 2
    assert unread_count(user=partner_a.sales.user, partner_id=partner_a.partner.pk) == 0
    assert Notification.objects.get(pk=other_partner.pk).read_at is None


def test_nobody_reads_or_marks_another_persons_notification(partner_a, partner_b):
    notification = tell(partner_a)
    for user, partner_id in ((partner_a.admin.user, partner_a.partner.pk), (partner_b.sales.user, partner_b.partner.pk),
                             (partner_a.sales.user, partner_b.partner.pk)):
        assert notification_mark_read(user=user, notification_id=notification.pk, partner_id=partner_id) is None
        assert notification not in notifications_for(user=user, partner_id=partner_id)
    assert Notification.objects.get(pk=notification.pk).read_at is None
