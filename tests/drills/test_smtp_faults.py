"""Drill 4: the SMTP relay answers 4xx for a while (retried with backoff, then delivered) and 5xx for
some recipients (failed at once, visible on the invitation, and a resend delivers it)."""

from __future__ import annotations

import time

import pytest

from audit.actions import AuditAction
from audit.models import AuditEvent
from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage
from notifications.services import outbox_resend
from tests.drills.conftest import assert_every_invitation_emailed_once, poll

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.drill, pytest.mark.xdist_group("drills")]

INVITATIONS = 200
REJECTED_EVERY = 20  # 10 of the 200 go to a mailbox the relay refuses for good


def recipient(index: int) -> str:
    return f"reject-{index}@customer.example" if index % REJECTED_EVERY == 0 else f"drill-{index}@customer.example"


def test_smtp_4xx_is_retried_then_delivered_and_5xx_fails_at_once_and_resend_delivers(
    workers, drill_broker, sink, invitations_api, partner_a
):
    sink.faults.reject = "reject-"
    workers.start()

    def relay_busy(index: int) -> None:
        if index == 0:
            sink.faults.temporary_until = time.monotonic() + 6  # "451 try again later" to everyone for 6 s

    invitations_api.create(INVITATIONS, recipient=recipient, before_each=relay_busy)
    assert len(invitations_api.succeeded) == INVITATIONS
    outbox = invitations_api.outbox_ids()
    rejected = {pk for invitation_id, pk in outbox.items() if OutboxMessage.objects.get(pk=pk).recipient.startswith("reject-")}
    assert len(rejected) == INVITATIONS // REJECTED_EVERY

    # 5xx: failed at the first attempt, with the relay's answer, and an audit event on the invitation.
    poll(lambda: OutboxMessage.objects.filter(pk__in=rejected, status=DeliveryStatus.FAILED).count() == len(rejected),
         timeout=60, what="every refused email is marked failed")
    failed = list(OutboxMessage.objects.filter(pk__in=rejected))
    assert all(m.attempts == 1 and "550" in m.last_error for m in failed), [(m.attempts, m.last_error) for m in failed]
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_DELIVERY_FAILED).count() == len(rejected)

    # 4xx: some deliveries were refused for a while and went through on a later attempt.
    assert sink.faults.temporary_refusals > 0
    poll(lambda: set(outbox.values()) - rejected <= set(sink.count_by_outbox_id()), timeout=90, what="the deferred emails arrive")
    assert OutboxMessage.objects.filter(pk__in=set(outbox.values()) - rejected, attempts__gt=1).exists()

    # The mailbox is fixed; resend delivers each failed one exactly once.
    sink.faults.reject = ""
    for message in failed:
        outbox_resend(message=message, actor=partner_a.admin.user, reason="mailbox fixed")
    assert_every_invitation_emailed_once(invitations_api, sink, supervisor=workers)
    assert not OutboxMessage.objects.filter(pk__in=outbox.values()).exclude(status=DeliveryStatus.SENT).exists()
