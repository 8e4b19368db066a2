"""What one email delivery costs the worker: two database statements and, for a burst, one SMTP
connection (closed after any error, and not reused once idle)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from bench.sink import RecordingHandler
from notifications import email_connection
from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage
from notifications.services import email_enqueue, outbox_deliver
from tests.notifications.sample_email import CONTEXT, TEMPLATE


def queued(to: str = "someone@example.com") -> OutboxMessage:
    """A queued row that nothing has published or delivered yet."""
    with mock.patch("notifications.services.outbox_publish"), transaction.atomic():
        return email_enqueue(to=to, template=TEMPLATE, context=CONTEXT, language="en")


# transactional_db: the worker delivers outside any transaction (inside one, the ORM path is used).
@pytest.mark.postgres
def test_a_delivery_is_two_statements_the_claim_returning_the_row_and_the_sent_mark(
    transactional_db, django_assert_num_queries
):
    message = queued()
    with django_assert_num_queries(2):
        assert outbox_deliver(message_id=message.pk).status == "sent"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and message.attempts == 1
    assert message.claimed_at is not None and message.sent_at is not None


def test_inside_a_callers_transaction_the_delivery_marks_use_the_orm_and_leave_its_commit_alone(
    db, django_assert_num_queries
):
    message = queued()
    with django_assert_num_queries(3) as captured:  # claim, read the row, sent mark
        assert outbox_deliver(message_id=message.pk).status == "sent"
    assert not any("synchronous_commit" in query["sql"] for query in captured.captured_queries)


@pytest.mark.postgres
def test_a_row_another_task_delivered_is_skipped_in_one_statement(transactional_db, django_assert_num_queries):
    message = queued()
    assert outbox_deliver(message_id=message.pk).status == "sent"
    with django_assert_num_queries(1):
        assert outbox_deliver(message_id=message.pk).status == "skipped"


class PeerRecordingHandler(RecordingHandler):
    """Notes which client connection (address, port) carried each accepted message."""

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.peers: list[tuple[str, int]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def smtp_server(settings, **handler_options) -> Iterator[PeerRecordingHandler]:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = PeerRecordingHandler(**handler_options)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        email_connection.close()
        controller.stop()


def test_consecutive_deliveries_share_one_smtp_connection_and_an_error_closes_it(db, settings):
    refuse = {"refused@example.com"}
    settings.EMAIL_CONNECTION_IDLE_SECONDS = 3600  # reuse must not hinge on how fast the deliveries follow each other
    with smtp_server(settings, refusal=lambda address: "550 no such user" if address in refuse else None) as sink:
        first, second = queued("a@example.com"), queued("b@example.com")
        assert outbox_deliver(message_id=first.pk).status == "sent"
        assert outbox_deliver(message_id=second.pk).status == "sent"
        assert len(sink.peers) == 2 and sink.peers[0] == sink.peers[1]

        assert outbox_deliver(message_id=queued("refused@example.com").pk).status == "failed"
        assert outbox_deliver(message_id=queued("c@example.com").pk).status == "sent"

    assert [a.recipients for a in sink.arrivals] == [("a@example.com",), ("b@example.com",), ("c@example.com",)]
    assert sink.peers[2] != sink.peers[0]  # the refusal closed the connection; the next delivery opened one
    assert OutboxMessage.objects.get(recipient="refused@example.com").status == DeliveryStatus.FAILED


def test_an_idle_or_well_used_connection_is_not_reused(db, settings):
    with smtp_server(settings) as sink:
        settings.EMAIL_CONNECTION_IDLE_SECONDS = 0
        for name in ("a", "b"):
            outbox_deliver(message_id=queued(f"{name}@example.com").pk)
        email_connection.close()
        settings.EMAIL_CONNECTION_IDLE_SECONDS = 3600
        settings.EMAIL_CONNECTION_MAX_MESSAGES = 2
        for name in ("c", "d", "e"):
            outbox_deliver(message_id=queued(f"{name}@example.com").pk)
    assert len(sink.arrivals) == 5
    a, b, c, d, e = sink.peers
    assert a != b  # idle: a new connection for each
    assert c == d != e  # at most two messages per connection
