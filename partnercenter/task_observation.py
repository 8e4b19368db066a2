"""Celery signal receivers: the request id travels into tasks, one log line and metrics per task run.

- before_task_publish: the publishing request's id (and user and partner) go into the message headers.
- task_prerun: a worker binds them as the task's request context (log lines, audit events), so a
  task and the tasks it enqueues in turn share the id of the request that started it all.
- task_postrun / task_failure / task_retry: one JSON line per run and the task metrics; the outcome
  of email and webhook deliveries (the tasks' return values) is counted too.

Connected in partnercenter/celery.py, so both web processes (publishers) and workers have them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import signals

from partnercenter import request_context
from partnercenter.metrics import definitions as metrics

logger = logging.getLogger("partnercenter.task")

HEADER_REQUEST_ID = "request_id"
HEADER_USER_ID = "request_user_id"
HEADER_PARTNER_ID = "request_partner_id"
DELIVERY_TASKS = {
    "notifications.send_outbox_message": metrics.email_deliveries,
    "notifications.send_outbox_messages": metrics.email_deliveries,  # a chunk: its rows' outcomes, counted
    "notifications.send_webhook_delivery": metrics.webhook_deliveries,
}
DELIVERY_OUTCOMES = {"sent", "retry", "failed", "skipped"}

_running: dict[str, tuple[float, Any]] = {}  # task id -> (start, context token or None)


@signals.before_task_publish.connect(weak=False)
def add_request_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    context = request_context.current()
    if headers is None or not context.request_id:
        return
    headers.setdefault(HEADER_REQUEST_ID, context.request_id)
    if context.user_id is not None:
        headers.setdefault(HEADER_USER_ID, context.user_id)
    if context.partner_id:
        headers.setdefault(HEADER_PARTNER_ID, context.partner_id)


@signals.task_prerun.connect(weak=False)
def bind_task_context(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    token = None
    request_id = getattr(task.request, HEADER_REQUEST_ID, None) if task is not None else None
    if request_id and request_context.current().request_id != request_id:
        token = request_context.bind(
            request_context.RequestContext(
                request_id=str(request_id)[:128],
                user_id=getattr(task.request, HEADER_USER_ID, None),
                partner_id=str(getattr(task.request, HEADER_PARTNER_ID, "") or ""),
            )
        )
    if task_id:
        _running[task_id] = (time.perf_counter(), token)


@signals.task_postrun.connect(weak=False)
def record_task_run(task_id: str | None = None, task: Any = None, state: str | None = None, retval: Any = None,
                    **kwargs: Any) -> None:
    started, token = _running.pop(task_id or "", (None, None))
    duration = time.perf_counter() - started if started is not None else 0.0
    name = getattr(task, "name", "unknown")
    state_label = (state or "unknown").lower()
    metrics.celery_task_runs.labels(name, state_label).inc()
    metrics.celery_task_duration.labels(name).observe(duration)
    deliveries = DELIVERY_TASKS.get(name)
    if deliveries is not None and isinstance(retval, dict) and state_label == "success":
        for outcome, count in retval.items():
            if outcome in DELIVERY_OUTCOMES and isinstance(count, int):
                deliveries.labels(outcome).inc(count)
    elif deliveries is not None:
        outcome = retval if isinstance(retval, str) and retval in DELIVERY_OUTCOMES else (
            "retry" if state_label == "retry" else "error")
        deliveries.labels(outcome).inc()
    context = request_context.current()
    retries = getattr(getattr(task, "request", None), "retries", 0) or 0
    logger.info(
        "task %s %s %.1fms retries=%d user=%s partner=%s",
        name, state_label, duration * 1000, retries, context.user_id or "-", context.partner_id or "-",
        extra={
            "task": name, "task_id": task_id, "state": state_label, "duration_ms": round(duration * 1000, 2),
            "retries": retries, "user_id": context.user_id, "partner_id": context.partner_id or None,
        },
    )
    if token is not None:
        request_context.reset(token)


@signals.task_failure.connect(weak=False)
def count_task_failure(sender: Any = None, **kwargs: Any) -> None:
    metrics.celery_task_failures.labels(getattr(sender, "name", "unknown")).inc()


@signals.task_retry.connect(weak=False)
def count_task_retry(sender: Any = None, **kwargs: Any) -> None:
    metrics.celery_task_retries.labels(getattr(sender, "name", "unknown")).inc()
