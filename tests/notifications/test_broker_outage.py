"""The outbox against a real Redis broker and a real Celery worker: outages and duplicate publishes.

Each test runs its own redis-server on a free port (see conftest.py) and stops/starts it at will.
"""

from __future__ import annotations

import logging

import pytest
from celery import Celery
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage
from notifications.services import email_enqueue, outbox_sweep
from tests.notifications.sample_email import CONTEXT, TEMPLATE
from tests.timing import stopwatch

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TASK = "notifications.send_outbox_message"
QUEUE = "default"  # settings.CELERY_TASK_DEFAULT_QUEUE
# How long a publish may wait on a broker that does not answer, by the app's own configuration, and
# the request path's budget. Durations are measured without the thread's wait for a CPU
# (tests/timing.py): what is bounded is the waiting on the broker, which a busy machine does not change.
PUBLISH_WAIT_BUDGET_SECONDS = 2.0
REQUEST_PATH_BUDGET_SECONDS = 5.0  # the business transaction + its on-commit publish, broker down
DELIVERY_TIMEOUT_SECONDS = 60.0  # waiting on a real worker: a ceiling, not a speed requirement


def most_a_publish_can_wait(app: Celery) -> float:
    """Every attempt's connect + read timeout, plus the pauses between attempts."""
    policy = app.conf.task_publish_retry_policy
    options = app.conf.broker_transport_options
    attempts = policy["max_retries"] + 1
    per_attempt = options["socket_connect_timeout"] + options["socket_timeout"]
    pauses = sum(policy["interval_start"] + n * policy["interval_step"] for n in range(policy["max_retries"]))
    return attempts * per_attempt + pauses


def test_a_publish_to_an_unanswering_broker_gives_up_within_the_budget(celery_app_on_redis):
    assert celery_app_on_redis.conf.task_publish_retry_policy["max_retries"] is not None  # None: retry forever
    assert most_a_publish_can_wait(celery_app_on_redis) <= PUBLISH_WAIT_BUDGET_SECONDS


def enqueue_committed(to: str = "someone@example.com") -> OutboxMessage:
    """The business transaction: write the row and commit; the on-commit publish runs on exit."""
    with transaction.atomic():
        return email_enqueue(to=to, template=TEMPLATE, context=CONTEXT, language="en")


def emails_for(message: OutboxMessage) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.extra_headers.get("X-Partnercenter-Outbox-Id") == str(message.pk)]


def status_of(message: OutboxMessage) -> str:
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=message.pk)


def warm_up_broker_connection(app: Celery) -> None:
    """Leave a live broker connection in the app's pool, as a running web process has."""
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=1)
        assert producer.connection.connected


# "cold": the process never reached the broker; "warm": its pooled connection dies with the broker.
@pytest.mark.parametrize("broker_connection", ["cold", "warm"])
def test_row_committed_while_the_broker_is_down_is_sent_once_the_broker_is_back(
    broker_connection,
    redis_server,
    celery_app_on_redis,
    run_celery_worker,
    task_outcomes,
    publish_log,
    wait_until,
    settings,
    caplog,
):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    if broker_connection == "warm":
        warm_up_broker_connection(celery_app_on_redis)
    redis_server.stop()

    caplog.set_level(logging.WARNING, logger="notifications.services")
    with stopwatch() as request:
        message = enqueue_committed()

    # The request path gave up on the broker quickly and committed the row anyway.
    assert request.seconds < REQUEST_PATH_BUDGET_SECONDS, f"enqueue + publish took {request}"
    assert publish_log[0].seconds < PUBLISH_WAIT_BUDGET_SECONDS, publish_log
    assert [(call.message_id, call.published) for call in publish_log] == [(message.pk, False)]
    assert any(
        record.name == "notifications.services" and getattr(record, "outbox_id", None) == message.pk
        for record in caplog.records
    ), "the failed publish is logged with the outbox id"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.QUEUED
    assert message.attempts == 0
    assert mail.outbox == []

    # A sweep during the outage publishes nothing and does not hang either.
    with stopwatch() as sweep:
        assert outbox_sweep() == 0
    assert sweep.seconds < REQUEST_PATH_BUDGET_SECONDS, f"the sweep took {sweep}"
    assert status_of(message) == DeliveryStatus.QUEUED

    # The broker comes back (same port, empty: nothing was published while it was down).
    redis_server.start()
    assert redis_server.queue_length(QUEUE) == 0
    assert outbox_sweep() == 1
    assert publish_log[-1].message_id == message.pk
    assert publish_log[-1].published is True
    assert redis_server.queue_length(QUEUE) == 1

    with run_celery_worker():
        wait_until(lambda: status_of(message) == DeliveryStatus.SENT, timeout=DELIVERY_TIMEOUT_SECONDS, what="sent")
        outcomes = task_outcomes.wait_for(TASK, 1, timeout=DELIVERY_TIMEOUT_SECONDS)

    assert [(o["args"], o["retval"]) for o in outcomes] == [((message.pk,), "sent")]
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert len(emails_for(message)) == 1
    assert len(mail.outbox) == 1
    assert emails_for(message)[0].to == ["someone@example.com"]
    assert redis_server.queue_length(QUEUE) == 0
    assert redis_server.unacked_count() == 0


def test_duplicate_publish_of_the_same_row_sends_one_email(
    redis_server, celery_app_on_redis, run_celery_worker, task_outcomes, publish_log, wait_until
):
    message = enqueue_committed()  # on-commit publish #1, to the live broker; no worker yet
    assert services.outbox_publish(message_id=message.pk) is True  # #2: e.g. the sweep racing it
    assert [(call.message_id, call.published) for call in publish_log] == [(message.pk, True), (message.pk, True)]
    assert redis_server.queue_length(QUEUE) == 2  # both really sit in the broker

    with run_celery_worker():
        outcomes = task_outcomes.wait_for(TASK, 2, timeout=DELIVERY_TIMEOUT_SECONDS)
        wait_until(lambda: status_of(message) == DeliveryStatus.SENT, timeout=DELIVERY_TIMEOUT_SECONDS, what="sent")

    assert sorted(o["retval"] for o in outcomes) == ["sent", "skipped"]
    assert {o["args"] for o in outcomes} == {(message.pk,)}
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.attempts == 1
    assert len(emails_for(message)) == 1
    assert len(mail.outbox) == 1
    assert redis_server.queue_length(QUEUE) == 0
    assert redis_server.unacked_count() == 0
