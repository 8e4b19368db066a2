"""The daily digest: one email per person and day with what they chose to get that way; never two
digests for one day, never an item lost (issue 24 item 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind
from notifications.digest import digests_send
from notifications.inbox import EmailSpec, notify_user
from notifications.models import Notification, OutboxMessage
from notifications.preferences import notification_preferences_set
from notifications.tasks import send_digests
from partnercenter.sealing import unseal
from tests.notifications.sample_email import CONTEXT, TEMPLATE

pytestmark = pytest.mark.django_db
P = NotificationAudience.PARTNER
MONDAY = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def tell(tenant, n, kind=NotificationKind.INVITATION_ACCEPTED, user=None):  # type: ignore[no-untyped-def]
    user = user or tenant.sales.user
    with transaction.atomic():
        return notify_user(user=user, kind=kind, audience=P, partner_id=tenant.partner.pk,
                           params={"customer": f"Customer {n}", "invitation": n}, url=f"/p/x/invitations/?n={n}",
                           email=EmailSpec(template=TEMPLATE, context=CONTEXT, idempotency_key=f"t:{n}:{user.pk}"))


@pytest.fixture
def digest_user(partner_a):  # type: ignore[no-untyped-def]
    notification_preferences_set(user=partner_a.sales.user, audience=P, partner_id=partner_a.partner.pk,
                                 choices={NotificationKind.INVITATION_ACCEPTED: NotificationDelivery.DIGEST,
                                          NotificationKind.INVITATION_DECLINED: NotificationDelivery.DIGEST})
    return partner_a


def digests() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(idempotency_key__startswith="digest:").order_by("pk"))


def test_the_next_morning_one_email_carries_every_item_of_the_day(digest_user, django_capture_on_commit_callbacks):
    with time_machine.travel(MONDAY, tick=False):
        tell(digest_user, 1)
        tell(digest_user, 2, kind=NotificationKind.INVITATION_DECLINED)
    with time_machine.travel(MONDAY + timedelta(hours=17), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 1  # Tuesday 08:00
    (digest,) = digests()
    assert digest.recipient == digest_user.sales.user.email
    assert digest.idempotency_key == f"digest:{digest_user.sales.user.pk}:2027-03-02"
    body = unseal(digest.sealed_body)["text"]
    assert "Customer 1 accepted invitation #1" in body and "Customer 2 declined invitation #2" in body
    assert "/p/x/invitations/?n=1" in body
    assert len(mail.outbox) == 1
    assert not Notification.objects.filter(digest_message__isnull=True).exists()


def test_a_second_run_the_same_day_sends_nothing_and_a_later_item_waits_for_the_next_day(digest_user):
    with time_machine.travel(MONDAY, tick=False):
        tell(digest_user, 1)
    with time_machine.travel(MONDAY + timedelta(hours=17), tick=False):
        assert digests_send() == 1
        late = tell(digest_user, 2)  # Tuesday 08:00, after the digest
        assert digests_send() == 0
        assert send_digests() == 0  # the beat task, hourly: same answer
    assert len(digests()) == 1
    late.refresh_from_db()
    assert late.digest_message_id is None  # not lost: it waits
    with time_machine.travel(MONDAY + timedelta(days=1, hours=17), tick=False):
        assert digests_send() == 1
    late.refresh_from_db()
    assert late.digest_message_id == digests()[1].pk


def test_before_the_digest_hour_nothing_is_sent_and_a_missed_hour_is_caught_up(digest_user, settings):
    settings.NOTIFICATION_DIGEST_HOUR = 7
    with time_machine.travel(MONDAY, tick=False):
        tell(digest_user, 1)
    with time_machine.travel(datetime(2027, 3, 2, 6, 59, tzinfo=UTC), tick=False):
        assert digests_send() == 0
    with time_machine.travel(datetime(2027, 3, 2, 11, 0, tzinfo=UTC), tick=False):
        assert digests_send() == 1


def test_items_emailed_right_away_or_not_at_all_never_go_into_a_digest(partner_a):
    with time_machine.travel(MONDAY, tick=False):
        tell(partner_a, 1)  # default: right away
        notification_preferences_set(user=partner_a.admin.user, audience=P, partner_id=partner_a.partner.pk,
                                     choices={NotificationKind.INVITATION_ACCEPTED: NotificationDelivery.OFF})
        tell(partner_a, 2, user=partner_a.admin.user)
    with time_machine.travel(MONDAY + timedelta(hours=17), tick=False):
        assert digests_send() == 0
    assert digests() == []


def test_each_person_gets_their_own_digest_in_their_language(digest_user, partner_a):
    admin = partner_a.admin.user
    admin.preferred_language = "ja"
    admin.save(update_fields=["preferred_language"])
    notification_preferences_set(user=admin, audience=P, partner_id=partner_a.partner.pk,
                                 choices={NotificationKind.INVITATION_ACCEPTED: NotificationDelivery.DIGEST})
    with time_machine.travel(MONDAY, tick=False):
        tell(digest_user, 1)
        tell(digest_user, 2, user=admin)
    with time_machine.travel(MONDAY + timedelta(hours=17), tick=False):
        assert digests_send() == 2
    by_recipient = {message.recipient: message for message in digests()}
    assert set(by_recipient) == {digest_user.sales.user.email, admin.email}
    japanese = unseal(by_recipient[admin.email].sealed_body)["text"]
    assert "Customer 2" in japanese and "Customer 1" not in japanese
    assert by_recipient[admin.email].language == "ja"
