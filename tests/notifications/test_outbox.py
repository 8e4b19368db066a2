from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage
from notifications.services import (
    OutboxError,
    email_enqueue,
    outbox_deliver,
    outbox_resend,
    outbox_sweep,
)
from partnercenter.sealing import unseal
from tests.notifications.sample_email import CONTEXT, TEMPLATE


@pytest.fixture
def enqueue(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Write an outbox row in a transaction and run its on-commit publish (eager Celery)."""

    def _enqueue(**overrides) -> OutboxMessage:  # type: ignore[no-untyped-def]
        kwargs = {"to": "someone@example.com", "template": TEMPLATE, "context": CONTEXT, "language": "en", **overrides}
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return email_enqueue(**kwargs)

    return _enqueue


def test_committed_outbox_row_is_sent_after_commit_with_text_and_html_parts(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            message = email_enqueue(to="someone@example.com", template=TEMPLATE, context=CONTEXT, language="en")
        assert mail.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["someone@example.com"]
    assert "http://testserver/join/secret-token" in sent.body
    assert "http://testserver/join/secret-token" in sent.alternatives[0][0]


def test_rollback_after_outbox_write_sends_nothing(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_enqueue(to="someone@example.com", template=TEMPLATE, context=CONTEXT, language="en")
        raise RuntimeError("the business action failed after writing the outbox row")
    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_outbox_body_is_sealed_at_rest(db, enqueue):
    message = enqueue()
    assert "secret-token" not in message.sealed_body
    assert "secret-token" in unseal(message.sealed_body)["text"]


def test_email_is_rendered_in_the_recipients_language(db, enqueue):
    japanese = enqueue(language="ja")
    english = enqueue(language="en", to="x@example.com")
    assert "招待" in japanese.subject
    assert "招待" in unseal(japanese.sealed_body)["text"]
    assert "invited" in english.subject


def test_same_idempotency_key_returns_the_first_row(db, enqueue):
    first = enqueue(idempotency_key="invite:1")
    second = enqueue(idempotency_key="invite:1")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_second_delivery_of_the_same_row_is_a_no_op(db, enqueue):
    message = enqueue()
    assert outbox_deliver(message_id=message.pk).status == "skipped"  # already sent eagerly on commit
    assert len(mail.outbox) == 1


def smtp_failing_with(exc: Exception):  # type: ignore[no-untyped-def]
    return mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=exc)


def test_permanent_smtp_error_fails_at_once_and_is_visible(db, enqueue):
    with smtp_failing_with(smtplib.SMTPRecipientsRefused({"someone@example.com": (550, b"no such user")})):
        message = enqueue()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert message.attempts == 1
    assert "SMTPRecipientsRefused" in message.last_error
    assert message.failed_at is not None


def test_temporary_smtp_error_is_retried_with_backoff_then_delivered(db, settings, enqueue):
    settings.OUTBOX_RETRY_BACKOFF_SECONDS = 30
    # Time stands still until the test moves it: a slow machine cannot eat into the 30 s backoff.
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with smtp_failing_with(smtplib.SMTPResponseException(451, b"try again later")):
            message = enqueue()
        message.refresh_from_db()
        assert message.status == DeliveryStatus.QUEUED
        assert message.attempts == 1
        assert "451" in message.last_error
        assert message.next_attempt_at == timezone.now() + timedelta(seconds=30)
        clock.shift(timedelta(seconds=29))
        assert outbox_deliver(message_id=message.pk).status == "skipped"  # not due yet
        clock.shift(timedelta(seconds=2))
        assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_temporary_errors_stop_after_the_attempt_budget(db, settings, enqueue):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_BACKOFF_SECONDS = 1
    with smtp_failing_with(ConnectionRefusedError("smtp down")):
        message = enqueue()
        with time_machine.travel(timezone.now() + timedelta(seconds=5)):
            assert outbox_deliver(message_id=message.pk).status == "failed"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert message.attempts == 2


def test_sweep_requeues_a_row_whose_worker_died_mid_send(db, settings, enqueue):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now() - timedelta(hours=1), sent_at=None
    )
    mail.outbox.clear()
    outbox_sweep()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_sweep_leaves_fresh_rows_to_their_own_publish(db, settings, enqueue):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 60
    # Time stands still: the row is exactly as fresh at the sweep as when it was written.
    with time_machine.travel(timezone.now(), tick=False), mock.patch("notifications.services.outbox_publish") as publish:
        enqueue()
        publish.reset_mock()
        assert outbox_sweep() == 0
    publish.assert_not_called()


def test_failed_delivery_can_be_resent_and_is_audited(db, partner_a, enqueue, django_capture_on_commit_callbacks):
    with smtp_failing_with(smtplib.SMTPDataError(554, b"rejected")):
        message = enqueue(partner=partner_a.partner)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_resend(message=message, actor=partner_a.admin.user)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="outbox.resent", target_id=str(message.pk)).count() == 1
    with pytest.raises(OutboxError):
        outbox_resend(message=message, actor=partner_a.admin.user)
