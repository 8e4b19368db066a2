"""Request and task log lines: JSON, one per request and per task run, sharing the request id through
the task headers (real Redis broker, real worker); no token, password or API key in any line."""

from __future__ import annotations

from contextlib import nullcontext

import pytest

from invitations.models import Invitation
from notifications.choices import DeliveryStatus
from notifications.models import OutboxMessage, WebhookDelivery
from partnercenter.log_filters import redact
from tests.notifications.webhook_receiver import webhook_receiver
from tests.ops.flow import run_invitation_flow

DELIVERY_TIMEOUT_SECONDS = 60.0


def no_capture(execute: bool = True):  # type: ignore[no-untyped-def]
    return nullcontext()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_one_invitation_logs_its_request_id_in_the_web_and_the_task_lines_and_no_secret(
    partner_a, agreement, settings, run_celery_worker, wait_until, capture_json_logs
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    with webhook_receiver() as receiver, run_celery_worker(), capture_json_logs() as capture:
        secrets = run_invitation_flow(partner=partner_a, capture=no_capture, webhook_url=receiver.url,
                                      request_id="ops-logs-request-0001")

        def all_delivered() -> bool:
            return (
                not OutboxMessage.objects.exclude(status=DeliveryStatus.SENT).exists()
                and not WebhookDelivery.objects.exclude(status=DeliveryStatus.SENT).exists()
                and OutboxMessage.objects.count() >= 2
            )

        wait_until(all_delivered, timeout=DELIVERY_TIMEOUT_SECONDS, what="every email and webhook was delivered")
        wait_until(lambda: len([line for line in capture.lines() if line.get("name") == "partnercenter.task"]) >= 4,
                   timeout=DELIVERY_TIMEOUT_SECONDS, what="the worker logged its task runs")

    lines = capture.lines()
    invitation = Invitation.objects.get(pk=secrets.invitation_id)
    rid = secrets.create_request_id

    web = [line for line in lines if line.get("name") == "partnercenter.request" and line["request_id"] == rid]
    assert len(web) == 1
    assert web[0]["route"] == "api:invitation-list"
    assert web[0]["status"] == 201 and web[0]["method"] == "POST"
    assert web[0]["duration_ms"] > 0 and web[0]["db_queries"] > 0
    assert web[0]["partner_id"] == partner_a.partner.partner_id
    assert web[0]["user_id"] is not None

    tasks = [line for line in lines if line.get("name") == "partnercenter.task" and line["request_id"] == rid]
    assert {line["task"] for line in tasks} >= {"notifications.send_outbox_message", "notifications.send_webhook_delivery"}
    email_line = next(line for line in tasks if line["task"] == "notifications.send_outbox_message")
    assert email_line["state"] == "success" and email_line["duration_ms"] > 0 and email_line["task_id"]
    assert email_line["user_id"] == web[0]["user_id"]
    assert email_line["partner_id"] == partner_a.partner.partner_id
    assert OutboxMessage.objects.filter(topic=f"invitation:{invitation.pk}", status=DeliveryStatus.SENT).exists()

    # The accept request's own id follows its emails into the worker too.
    accept = [line for line in lines if line.get("name") == "partnercenter.request" and line["route"] == "invitation_review"
              and line["method"] == "POST"]
    assert len(accept) == 1
    assert any(line["request_id"] == accept[0]["request_id"] for line in lines if line.get("name") == "partnercenter.task")

    # No secret anywhere, in any logger's line.
    raw = capture.raw()
    assert len(lines) > 10
    for secret in (secrets.invitation_token, secrets.password, secrets.api_key):
        assert secret not in raw
    assert secrets.api_key[:12] not in raw


def test_the_redacting_filter_scrubs_links_keys_and_passwords_from_any_line():
    token = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr"
    line = (f'127.0.0.1 - - "GET /r/{token} HTTP/1.1" 302 -; GET /join/{token}?next=/; '
            f"Authorization: Bearer pck_live_abcdef0123456789; password=correct-horse-battery&token={token}")
    cleaned = redact(line)
    assert token not in cleaned
    assert "pck_live_abcdef0123456789" not in cleaned and "correct-horse-battery" not in cleaned
    assert "/r/[redacted]" in cleaned and "/join/[redacted]" in cleaned
    assert redact("GET invitations:list 200") == "GET invitations:list 200"
