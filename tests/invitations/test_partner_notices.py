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
