"""Webhooks through a real Redis broker and a real Celery worker, to a real HTTP receiver."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from invitations.create_services import invitation_create
from notifications.choices import DeliveryStatus
from notifications.models import WebhookDelivery
from partners.webhook_services import webhook_subscription_create
from tests.notifications.webhook_receiver import webhook_receiver

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TASK = "notifications.send_webhook_delivery"


def test_a_receiver_failing_twice_gets_the_event_exactly_once_after_retries(
    settings, partner_a, celery_app_on_redis, run_celery_worker, task_outcomes, wait_until,
):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = 0.5  # attempts at t, t+0.5 s, t+1.5 s (countdowns round up to 1 s)
    with webhook_receiver(script=[500, 502]) as receiver, run_celery_worker():
        webhook_subscription_create(membership=partner_a.admin, url=receiver.url, event_types=["invitation.created"])
        with transaction.atomic():
            invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        wait_until(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SENT).exists(), timeout=60,
                   what="the delivery is marked sent")
        task_outcomes.wait_for(TASK, 3, timeout=60)
    assert [r.answered for r in receiver.requests] == [500, 502, 200]
    assert len(receiver.successes) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.last_error) == (DeliveryStatus.SENT, 3, 200, "")
    body = json.loads(receiver.successes[0].body)
    assert body["type"] == "invitation.created" and body["data"]["object"]["id"] == str(invitation.pk)
    assert [o["retval"] for o in task_outcomes.for_task(TASK) if o["state"] == "SUCCESS"] == ["sent"]
