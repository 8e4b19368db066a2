"""Drills 3 and 6: the Celery worker dies (SIGKILL of a child mid-send, then of the whole worker) or is
restarted gracefully (SIGTERM) with emails in flight. Every invitation still gets exactly one email;
a duplicate is only possible for a crash between SMTP acceptance and the `sent` mark (at most one per
killed process), and a graceful restart loses and duplicates nothing.
"""

from __future__ import annotations

import pytest

from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage
from tests.drills.conftest import assert_every_invitation_emailed_once, poll

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.drill, pytest.mark.xdist_group("drills")]

INVITATIONS = 200


def test_worker_child_then_whole_worker_killed_mid_send_loses_no_email(workers, drill_broker, sink, invitations_api):
    worker = workers.start(concurrency=1)  # one child: the one sending is the one killed
    killed = 0

    def kill_mid_send(kill) -> None:  # type: ignore[no-untyped-def]
        sink.delay_seconds = 2.0  # hold DATA open: the kill lands while the message is being sent
        poll(lambda: sink.in_data > 0, timeout=20, what="a message is being sent")
        kill()
        sink.delay_seconds = 0.0

    def fault(index: int) -> None:
        nonlocal worker, killed
        if index == 60:
            kill_mid_send(worker.kill_child)  # the pool forks a new child; the row waits out its lease
            killed += 1
        elif index == 120:
            kill_mid_send(worker.kill_all)  # the whole worker, main process included
            killed += 1
        elif index == 150:
            worker = workers.start(concurrency=1)

    invitations_api.create(INVITATIONS, before_each=fault)

    assert len(invitations_api.succeeded) == INVITATIONS
    assert_every_invitation_emailed_once(invitations_api, sink, duplicates_allowed=killed, supervisor=workers)
    poll(lambda: not OutboxMessage.objects.exclude(status=DeliveryStatus.SENT).exists(), timeout=30, what="every row is sent")


def test_graceful_worker_restart_with_100_emails_in_flight_loses_and_duplicates_nothing(workers, drill_broker, sink, invitations_api):
    invitations_api.create(INVITATIONS)  # no worker yet: 200 messages wait in the broker
    assert len(invitations_api.succeeded) == INVITATIONS
    outbox = set(invitations_api.outbox_ids().values())
    sink.delay_seconds = 0.05
    worker = workers.start(concurrency=2)
    poll(lambda: len(outbox & set(sink.count_by_outbox_id())) >= INVITATIONS - 100, timeout=120, what="100 emails delivered")
    in_flight = INVITATIONS - len(outbox & set(sink.count_by_outbox_id()))
    worker.terminate()  # SIGTERM: warm shutdown, running tasks finish, prefetched ones go back
    assert in_flight >= 90, f"only {in_flight} emails were still in flight at SIGTERM"
    workers.start(concurrency=2)
    # The sweep runs as beat would; the claim (queued -> sending) keeps a republished message from sending twice.
    counts = assert_every_invitation_emailed_once(invitations_api, sink, duplicates_allowed=0)
    assert sum(counts.get(pk, 0) for pk in outbox) == INVITATIONS
    assert not OutboxMessage.objects.filter(pk__in=outbox).exclude(status=DeliveryStatus.SENT).exists()
