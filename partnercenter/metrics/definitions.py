"""The counters and histograms the processes record (see partnercenter.metrics for the process model)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUERY_COUNT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144)

http_requests = Counter(
    "partnercenter_http_requests",
    "HTTP requests answered, by route (URL name), method and status code.",
    ["route", "method", "status"],
)
http_request_duration = Histogram(
    "partnercenter_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (URL name), method and status code.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
http_request_db_queries = Histogram(
    "partnercenter_http_request_db_queries",
    "Database queries run while answering one HTTP request, by route (URL name).",
    ["route"],
    buckets=QUERY_COUNT_BUCKETS,
)
celery_task_runs = Counter(
    "partnercenter_celery_task_runs",
    "Celery task executions finished, by task name and state (success, failure, retry).",
    ["task", "state"],
)
celery_task_failures = Counter(
    "partnercenter_celery_task_failures",
    "Celery task executions that raised, by task name.",
    ["task"],
)
celery_task_retries = Counter(
    "partnercenter_celery_task_retries",
    "Celery task retries scheduled, by task name.",
    ["task"],
)
celery_task_duration = Histogram(
    "partnercenter_celery_task_duration_seconds",
    "Time a Celery task execution took, by task name.",
    ["task"],
    buckets=LATENCY_BUCKETS,
)
email_deliveries = Counter(
    "partnercenter_email_deliveries",
    "Email delivery attempts by outcome (sent, retry, failed, skipped).",
    ["outcome"],
)
webhook_deliveries = Counter(
    "partnercenter_webhook_deliveries",
    "Webhook delivery attempts by outcome (sent, retry, failed, skipped).",
    ["outcome"],
)
