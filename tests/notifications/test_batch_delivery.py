"""Rows committed together travel together: one broker message per chunk (`send_outbox_messages`), one
claim statement per CLAIM_CHUNK rows, each row's own `sent` mark right after the server accepted it, and
a row's error (4xx/5xx) handled for that row alone, as `outbox_deliver` handles it."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from prometheus_client import REGISTRY

from notifications import email_connection, services, tasks
from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage
from notifications.services import (
    CLAIM_CHUNK,
    PUBLISH_CHUNK,
    RenderedEmail,
    email_enqueue_rendered,
    outbox_deliver_many,
)
from notifications.signals import outbox_message_failed
from tests.notifications.test_delivery_cost import queued, smtp_server

RENDERED = RenderedEmail(subject="Hello", text="Hello in text", html="<p>Hello in HTML</p>")


def enqueue(to: str) -> OutboxMessage:
    return email_enqueue_rendered(to=to, template="tests/batch", rendered=RENDERED, language="en")


@pytest.fixture
def broker(monkeypatch):  # type: ignore[no-untyped-def]
    """A real (not eager) Celery app whose publishes are recorded instead of sent."""
    conf = tasks.send_outbox_message.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    published: list[tuple[str, object]] = []

    def record(name):  # type: ignore[no-untyped-def]
        def apply_async(args=(), **kwargs):  # type: ignore[no-untyped-def]
            published.append((name, args[0]))
        return apply_async

    monkeypatch.setattr(tasks.send_outbox_message, "apply_async", record("one"))
    monkeypatch.setattr(tasks.send_outbox_messages, "apply_async", record("many"))
    try:
        yield published
    finally:
        conf.task_always_eager = eager


def test_one_row_in_a_transaction_is_published_alone(transactional_db, broker):
    with transaction.atomic():
        message = enqueue("a@example.com")
        assert broker == []  # nothing before commit
    assert broker == [("one", message.pk)]


def test_rows_committed_together_are_published_in_chunks(transactional_db, broker):
    with transaction.atomic():
        ids = [enqueue(f"r{n}@example.com").pk for n in range(PUBLISH_CHUNK + 5)]
    assert broker == [("many", ids[:PUBLISH_CHUNK]), ("many", ids[PUBLISH_CHUNK:])]


def test_a_rolled_back_savepoint_takes_only_its_own_rows_and_a_rollback_publishes_nothing(transactional_db, broker):
    with transaction.atomic():
        first = enqueue("first@example.com")
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue("rolled-back@example.com")
            raise RuntimeError("the savepoint rolls back")
        second = enqueue("second@example.com")
    # The rollback dropped the callbacks registered inside the savepoint: a row after it starts a batch of its own.
    assert broker == [("one", first.pk), ("one", second.pk)]
    broker.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("never@example.com")
        raise RuntimeError("the transaction rolls back")
    assert broker == []
    with transaction.atomic():
        third = enqueue("third@example.com")
    assert broker == [("one", third.pk)]


@pytest.mark.postgres
def test_a_chunk_is_a_claim_statement_per_claim_chunk_and_a_sent_mark_per_row(transactional_db, settings,
                                                                               django_assert_num_queries):
    settings.EMAIL_CONNECTION_IDLE_SECONDS = 3600
    rows = [queued(f"r{n}@example.com") for n in range(CLAIM_CHUNK + 2)]
    with smtp_server(settings) as sink, django_assert_num_queries(2 + len(rows)):
        outcomes = outbox_deliver_many(message_ids=[row.pk for row in rows])
    assert [(pk, outcome.status) for pk, outcome in outcomes] == [(row.pk, "sent") for row in rows]
    assert [a.recipients[0] for a in sink.arrivals] == [row.recipient for row in rows]
    assert len(set(sink.peers)) == 1  # one connection for the chunk
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    with django_assert_num_queries(2):  # delivered already: claimed by nobody, sent again never
        assert {outcome.status for _pk, outcome in outbox_deliver_many(message_ids=[row.pk for row in rows])} == {"skipped"}


@pytest.mark.postgres
def test_a_451_or_a_550_for_one_row_is_that_rows_alone(transactional_db, settings):
    answers = {"busy@example.com": "451 try later", "gone@example.com": "550 no such user"}
    rows = [queued(to) for to in ("a@example.com", "busy@example.com", "b@example.com", "gone@example.com", "c@example.com")]
    failed = mock.Mock()
    outbox_message_failed.connect(failed, dispatch_uid="test-batch")
    try:
        with smtp_server(settings, refusal=answers.get) as sink:
            outcomes = dict(outbox_deliver_many(message_ids=[row.pk for row in rows]))
    finally:
        outbox_message_failed.disconnect(dispatch_uid="test-batch")
    busy, gone = rows[1], rows[3]
    assert {pk: outcome.status for pk, outcome in outcomes.items()} == {
        rows[0].pk: "sent", busy.pk: "retry", rows[2].pk: "sent", gone.pk: "failed", rows[4].pk: "sent"}
    assert outcomes[busy.pk].retry_in_seconds == settings.OUTBOX_RETRY_BACKOFF_SECONDS
    assert sorted(a.recipients[0] for a in sink.arrivals) == ["a@example.com", "b@example.com", "c@example.com"]
    busy.refresh_from_db()
    gone.refresh_from_db()
    assert busy.status == DeliveryStatus.QUEUED and busy.next_attempt_at > timezone.now() + timedelta(seconds=10)
    assert "451" in busy.last_error
    assert gone.status == DeliveryStatus.FAILED and failed.call_count == 1
    # The task wakes the row to retry up on time, with a task of its own; the sent rows are never sent again.
    skipped_before = REGISTRY.get_sample_value("partnercenter_email_deliveries_total", {"outcome": "skipped"}) or 0
    with smtp_server(settings) as sink, mock.patch.object(services, "outbox_publish") as publish:
        assert tasks.send_outbox_messages.apply(args=([row.pk for row in rows],)).get() == {"skipped": 5}
        assert sink.arrivals == []
    # The delivery metrics count the chunk's rows, each with its outcome.
    assert REGISTRY.get_sample_value("partnercenter_email_deliveries_total", {"outcome": "skipped"}) == skipped_before + 5
    with mock.patch.object(tasks, "outbox_publish") as publish:
        OutboxMessage.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
        with smtp_server(settings, refusal=answers.get):
            assert tasks.send_outbox_messages.apply(args=([busy.pk],)).get() == {"retry": 1}
    publish.assert_called_once_with(message_id=busy.pk, countdown=2 * settings.OUTBOX_RETRY_BACKOFF_SECONDS)
    email_connection.close()
