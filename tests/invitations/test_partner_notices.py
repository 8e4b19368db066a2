"""The partner hears what happened to its invitations — accepted, declined, and (new in issue 24 item 6)
an invitation email that bounced — in its notification list, and by email as each person chose."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.db import transaction

from audit.actions import AuditAction
from audit.models import AuditEvent
from invitations.partner_notices import partner_notify
from notifications.choices import NotificationAudience, NotificationDelivery, NotificationKind
from notifications.models import Notification, OutboxMessage
from notifications.preferences import notification_preferences_set
from partnercenter.sealing import unseal

pytestmark = pytest.mark.django_db


def bouncing():  # type: ignore[no-untyped-def]
    refused = smtplib.SMTPRecipientsRefused({"it@bounce.example": (550, b"5.1.1 no such user")})
    return mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused)


def test_a_bounced_invitation_email_is_told_to_the_partner_in_app_and_by_email(
    partner_a, make_invitation, django_capture_on_commit_callbacks,
):
    with bouncing(), django_capture_on_commit_callbacks(execute=True):
        invitation = make_invitation(recipient_email="it@bounce.example", send_email=True)
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_DELIVERY_FAILED).count() == 1
    notice = Notification.objects.get(kind=NotificationKind.INVITATION_DELIVERY_FAILED)
    assert (notice.user, notice.partner_id) == (partner_a.admin.user, partner_a.partner.pk)  # the creator
    assert notice.params["recipient"] == "it@bounce.example" and notice.params["invitation"] == invitation.pk
    email = OutboxMessage.objects.get(template="invitations/email/partner_delivery_failed")
    assert email.recipient == partner_a.admin.user.email
    body = unseal(email.sealed_body)["text"]
    assert f"#{invitation.pk}" in body and "it@bounce.example" in body and "could not be delivered" in body


def test_the_bounce_notice_follows_the_persons_choice(partner_a, make_invitation, django_capture_on_commit_callbacks):
    notification_preferences_set(user=partner_a.admin.user, audience=NotificationAudience.PARTNER, partner_id=partner_a.partner.pk,
                                 choices={NotificationKind.INVITATION_DELIVERY_FAILED: NotificationDelivery.OFF})
    with bouncing(), django_capture_on_commit_callbacks(execute=True):
        make_invitation(recipient_email="it@bounce.example", send_email=True)
    assert Notification.objects.filter(kind=NotificationKind.INVITATION_DELIVERY_FAILED).count() == 1  # still in the list
    assert not OutboxMessage.objects.filter(template="invitations/email/partner_delivery_failed").exists()


def test_a_declined_invitation_goes_into_the_digest_when_the_person_wants_it_so(partner_a, make_invitation):
    invitation = make_invitation(recipient_email="it@northwind.example")
    notification_preferences_set(user=partner_a.admin.user, audience=NotificationAudience.PARTNER, partner_id=partner_a.partner.pk,
                                 choices={NotificationKind.INVITATION_DECLINED: NotificationDelivery.DIGEST})
    with transaction.atomic():
        partner_notify(invitation, event="declined", customer_name="it@northwind.example", reason="not now")
    notice = Notification.objects.get(kind=NotificationKind.INVITATION_DECLINED)
    assert notice.delivery == NotificationDelivery.DIGEST and notice.digest_message is None
    assert not OutboxMessage.objects.filter(template="invitations/email/partner_declined").exists()


# --- Issue 25: the acceptance notice is sent after the accepting transaction, and never lost -------


def _accept(client, open_link, invitation, customer_a):  # type: ignore[no-untyped-def]
    client.force_login(customer_a.user)
    open_link(invitation)
    response = client.post("/r/", {"action": "accept", "tenant": str(customer_a.customer.tenant_id),
                                   "signer_name": "Ida", "agreement_accepted": "on"})
    assert response.status_code == 200, response.content.decode()[:2000]


def _accepted_notices() -> tuple[int, int]:
    return (Notification.objects.filter(kind=NotificationKind.INVITATION_ACCEPTED).count(),
            OutboxMessage.objects.filter(template="invitations/email/partner_accepted").count())


def test_the_acceptance_notice_is_sent_after_commit_by_its_own_task(
    client, partner_a, make_invitation, open_link, customer_a, agreement, django_capture_on_commit_callbacks,
):
    from invitations.models import Invitation

    invitation = make_invitation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _accept(client, open_link, invitation, customer_a)
    # Committed: the acceptance, and the notice due; not the notice itself (no preference read, no render).
    assert _accepted_notices() == (0, 0)
    assert Invitation.objects.get(pk=invitation.pk).partner_notice_due
    for callback in callbacks:
        callback()  # the on-commit publishes: the customer's email and the partner's notice (eager task)
    notice = Notification.objects.get(kind=NotificationKind.INVITATION_ACCEPTED)
    assert (notice.user, notice.partner_id) == (partner_a.admin.user, partner_a.partner.pk)  # the creator
    assert notice.params == {"customer": "Northwind", "invitation": invitation.pk, "recipient": ""}
    email = OutboxMessage.objects.get(template="invitations/email/partner_accepted")
    assert email.recipient == partner_a.admin.user.email and email.idempotency_key == f"invitation:{invitation.pk}:accepted:{partner_a.admin.user.pk}"
    assert "Northwind" in unseal(email.sealed_body)["text"]
    assert not Invitation.objects.get(pk=invitation.pk).partner_notice_due


def test_a_lost_notice_task_is_repaired_by_the_sweep_once(
    client, partner_a, make_invitation, open_link, customer_a, agreement, django_capture_on_commit_callbacks, settings,
):
    from datetime import timedelta

    from django.utils import timezone

    from invitations.models import Invitation
    from invitations.partner_notices import partner_notice_accepted_send, partner_notices_sweep

    invitation = make_invitation()
    with django_capture_on_commit_callbacks(execute=False):  # the publish is lost (broker down, process killed)
        _accept(client, open_link, invitation, customer_a)
    assert partner_notices_sweep() == 0  # within the grace period the task may still come
    assert _accepted_notices() == (0, 0)
    Invitation.objects.filter(pk=invitation.pk).update(
        accepted_at=timezone.now() - timedelta(seconds=settings.PARTNER_NOTICE_SWEEP_GRACE_SECONDS + 1))
    assert partner_notices_sweep() == 1
    assert _accepted_notices() == (1, 1)
    # Told once: a second sweep and a late task find nothing due.
    assert partner_notices_sweep() == 0
    assert partner_notice_accepted_send(invitation_pk=invitation.pk) is False
    assert _accepted_notices() == (1, 1)


def test_the_notice_of_a_delayed_task_still_follows_the_persons_choice(
    client, partner_a, make_invitation, open_link, customer_a, agreement, django_capture_on_commit_callbacks,
):
    notification_preferences_set(user=partner_a.admin.user, audience=NotificationAudience.PARTNER, partner_id=partner_a.partner.pk,
                                 choices={NotificationKind.INVITATION_ACCEPTED: NotificationDelivery.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        _accept(client, open_link, make_invitation(), customer_a)
    assert _accepted_notices() == (1, 0)  # in the list, no email


def test_accepting_writes_its_audit_events_in_one_insert_with_their_payloads(
    client, partner_a, make_invitation, open_link, customer_a, agreement,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invitation = make_invitation()
    client.force_login(customer_a.user)
    open_link(invitation)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        client.post("/r/", {"action": "accept", "tenant": str(customer_a.customer.tenant_id),
                            "signer_name": "Ida", "agreement_accepted": "on"})
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1
    events = list(AuditEvent.objects.exclude(pk__in=before).order_by("pk"))
    assert [e.action for e in events] == ["agreement.accepted", "relationship.established", "grant.requested", "invitation.accepted"]
    accepted = events[-1]
    relationship_id = events[1].target_id
    assert accepted.data == {"before": {"status": "pending"},
                             "after": {"status": "accepted", "relationship_id": int(relationship_id), "grant_id": int(events[2].target_id)}}
    assert all(e.actor == customer_a.user and e.actor_label == customer_a.user.email for e in events)
    assert {e.request_id for e in events} != {""}
