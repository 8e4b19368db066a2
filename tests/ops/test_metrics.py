"""/metrics: protected; after a scripted flow (invite, email, webhook, accept) every metric has real values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import shared_task
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from notifications.models import OutboxMessage
from notifications.services import email_enqueue
from tests.factories import UserFactory
from tests.notifications.sample_email import CONTEXT, TEMPLATE
from tests.notifications.webhook_receiver import webhook_receiver
from tests.ops.flow import run_invitation_flow

pytestmark = pytest.mark.django_db

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


@shared_task(name="tests.ops.always_fails")
def always_fails() -> None:
    raise RuntimeError("this task fails on purpose")


@pytest.fixture(autouse=True)
def _metrics_settings(settings):  # type: ignore[no-untyped-def]
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = 0  # eager tasks: the retry runs at once


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:  # type: ignore[no-untyped-def]
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_need_the_bearer_token_or_a_staff_session(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics")["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").status_code == 200
    client.force_login(UserFactory())
    assert client.get("/metrics").status_code == 401
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/metrics").status_code == 200


def test_no_token_configured_means_staff_only(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_every_metric_has_real_values_after_an_invitation_flow(
    client, partner_a, agreement, django_capture_on_commit_callbacks
):
    before = scrape(client)
    with webhook_receiver(script=[503]) as receiver:
        run_invitation_flow(partner=partner_a, capture=django_capture_on_commit_callbacks, webhook_url=receiver.url)
    assert receiver.successes, "the webhook was delivered"
    # One email left queued for two minutes (no worker picked it up): the age gauge shows it.
    with django_capture_on_commit_callbacks(execute=False):
        stuck = email_enqueue(to="late@example.com", template=TEMPLATE, context=CONTEXT, language="en")
    OutboxMessage.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(seconds=120))
    always_fails.apply()
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Requests by route (URL name), method and status; latency; queries per request.
    create = {"route": "api:invitation-list", "method": "POST", "status": "201"}
    assert delta("partnercenter_http_requests_total", **create) == 1
    assert delta("partnercenter_http_request_duration_seconds_count", **create) == 1
    assert delta("partnercenter_http_request_duration_seconds_sum", **create) > 0
    assert delta("partnercenter_http_requests_total", route="invitation_review", method="POST", status="200") == 1
    assert delta("partnercenter_http_request_db_queries_count", route="api:invitation-list") == 1
    assert delta("partnercenter_http_request_db_queries_sum", route="api:invitation-list") >= 5
    assert not any(key[0] == "partnercenter_http_requests_total" and "/r/" in str(key[1]) for key in after)

    # Outbox by state, and the age of the oldest queued row.
    assert value(after, "partnercenter_outbox_messages", kind="email", state="sent") >= 1
    assert value(after, "partnercenter_outbox_messages", kind="email", state="queued") == 1
    assert value(after, "partnercenter_outbox_messages", kind="webhook", state="sent") >= 2
    assert value(after, "partnercenter_outbox_oldest_queued_age_seconds", kind="email") >= 120
    assert value(after, "partnercenter_outbox_oldest_queued_age_seconds", kind="webhook") == 0

    # Celery task runs, failures and retries by task.
    assert delta("partnercenter_celery_task_runs_total", task="notifications.send_outbox_message", state="success") >= 1
    assert delta("partnercenter_celery_task_runs_total", task="notifications.send_webhook_delivery", state="success") >= 2
    assert delta("partnercenter_celery_task_retries_total", task="notifications.send_webhook_delivery") == 1
    assert delta("partnercenter_celery_task_failures_total", task="tests.ops.always_fails") == 1
    assert delta("partnercenter_celery_task_runs_total", task="tests.ops.always_fails", state="failure") == 1
    assert delta("partnercenter_celery_task_duration_seconds_count", task="notifications.send_outbox_message") >= 1

    # Email and webhook deliveries by outcome.
    assert delta("partnercenter_email_deliveries_total", outcome="sent") >= 1
    assert delta("partnercenter_webhook_deliveries_total", outcome="retry") == 1
    assert delta("partnercenter_webhook_deliveries_total", outcome="sent") >= 2

    # Invitations, grants and relationships by state (from the database, at scrape time).
    assert value(after, "partnercenter_invitations", state="accepted") == 1
    assert value(after, "partnercenter_invitations", state="pending") == 0
    assert sum(value(after, "partnercenter_delegated_admin_grants", state=s) for s in ("approval_pending", "active")) == 1
    assert value(after, "partnercenter_relationships", state="active") == 1


def test_a_scope_splits_database_gauges_from_process_counters(client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {METRICS_TOKEN}"}
    client.get("/healthz")
    database = client.get("/metrics?scope=database", **auth).content.decode()
    processes = client.get("/metrics?scope=processes", **auth).content.decode()
    assert "partnercenter_invitations{" in database and "partnercenter_http_requests_total" not in database
    assert "partnercenter_http_requests_total" in processes and "partnercenter_invitations{" not in processes
    assert client.get("/metrics?scope=everything", **auth).status_code == 400
