"""Celery beat work: invitations expire, recipients are reminded once per threshold."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from invitations.choices import InvitationStatus
from invitations.drafts import invitation_draft
from invitations.lifecycle import invitation_reminders_send, invitations_expire
from invitations.send_services import invitation_send
from invitations.tasks import expire, send_reminders


def sent_invitation(make_invitation, partner_a):  # type: ignore[no-untyped-def]
    invitation = make_invitation(recipient_email="cio@northwind.example")
    subject, body = invitation_draft(invitation)
    return invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="")


def test_invitations_expire_after_their_validity(make_invitation):
    invitation = make_invitation()
    assert invitations_expire() == 0
    with time_machine.travel(timezone.now() + timedelta(days=30, seconds=1)):
        assert expire.apply().get() == 1
        assert invitations_expire() == 0  # a second run finds nothing
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED and invitation.expired_at is not None
    assert AuditEvent.objects.filter(action="invitation.expired", target_id=str(invitation.pk)).count() == 1


def test_reminders_go_once_per_threshold_with_the_same_link(make_invitation, partner_a, settings, django_capture_on_commit_callbacks):
    settings.INVITATION_REMINDER_DAYS_BEFORE = [7, 1]
    with django_capture_on_commit_callbacks(execute=True):
        invitation = sent_invitation(make_invitation, partner_a)
    mail.outbox.clear()
    assert invitation_reminders_send() == 0  # 30 days left: too early
    with time_machine.travel(invitation.expires_at - timedelta(days=6)), django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.apply().get() == 1
        assert invitation_reminders_send() == 0
    with time_machine.travel(invitation.expires_at - timedelta(hours=12)), django_capture_on_commit_callbacks(execute=True):
        assert invitation_reminders_send() == 1
        assert invitation_reminders_send() == 0
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox)
    _subject, body = invitation_draft(invitation)
    assert all(body.splitlines()[0] in m.body for m in mail.outbox)
    assert AuditEvent.objects.filter(action="invitation.reminded").count() == 2


def test_no_reminder_for_invitations_not_sent_from_the_portal(make_invitation):
    make_invitation(recipient_email="cio@northwind.example")  # drafted, copied to the partner's own mail app
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert invitation_reminders_send() == 0
