"""Celery beat over grants: expiry and auto-extend at the boundary second, 90-day requests, reminders once."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from relationships.choices import GrantStatus
from relationships.grant_lifecycle import grant_reminders_send, grants_expire_and_extend
from relationships.services import grant_approve
from relationships.tasks import grant_reminders, grants_lifecycle


def test_grant_expires_exactly_at_its_end(pending_grant, customer_a):
    grant = grant_approve(grant=pending_grant(duration_days=10), user=customer_a.user)
    with time_machine.travel(grant.ends_at - timedelta(seconds=1)):
        assert grants_expire_and_extend()["expired"] == 0
    with time_machine.travel(grant.ends_at):
        assert grants_lifecycle.apply().get()["expired"] == 1
        assert grants_expire_and_extend()["expired"] == 0
    grant.refresh_from_db()
    assert grant.status == GrantStatus.EXPIRED


def test_auto_extend_adds_180_days_at_the_end(pending_grant, customer_a):
    grant = grant_approve(grant=pending_grant(duration_days=10, auto_extend=True), user=customer_a.user)
    end = grant.ends_at
    with time_machine.travel(end):
        assert grants_expire_and_extend() == {"expired": 0, "extended": 1, "requests_expired": 0}
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE and grant.ends_at == end + timedelta(days=180)


def test_unanswered_requests_expire_after_90_days(pending_grant):
    grant = pending_grant()
    with time_machine.travel(grant.request_expires_at - timedelta(seconds=1)):
        assert grants_expire_and_extend()["requests_expired"] == 0
    with time_machine.travel(grant.request_expires_at):
        assert grants_expire_and_extend()["requests_expired"] == 1
    grant.refresh_from_db()
    assert grant.status == GrantStatus.EXPIRED


def test_reminders_at_30_7_and_1_days_are_sent_exactly_once(pending_grant, customer_a, agent, django_capture_on_commit_callbacks):
    grant = grant_approve(grant=pending_grant(duration_days=60), user=customer_a.user)
    mail.outbox.clear()
    sent_per_run = []
    for days_before in (45, 30, 29, 7, 6, 1, 0.5):
        with time_machine.travel(grant.ends_at - timedelta(days=days_before)), django_capture_on_commit_callbacks(execute=True):
            sent_per_run.append(grant_reminders.apply().get())
            sent_per_run.append(grant_reminders_send())  # a repeated beat run sends nothing
    assert sent_per_run == [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
    recipients = {m.to[0] for m in mail.outbox}
    assert customer_a.user.email in recipients and agent.user.email in recipients
    assert len(mail.outbox) == 3 * len(recipients)


def test_no_reminder_for_grants_that_will_auto_extend(pending_grant, customer_a):
    grant = grant_approve(grant=pending_grant(duration_days=60, auto_extend=True), user=customer_a.user)
    with time_machine.travel(grant.ends_at - timedelta(days=1)):
        assert grant_reminders_send() == 0
    assert timezone.now() < grant.ends_at
