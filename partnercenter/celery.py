"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.local")

app = Celery("partnercenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request id into task headers and back out in the worker; task log lines and metrics. Reuse the
# worker's database connection between tasks (CONN_MAX_AGE), checked as Django does between requests.
from partnercenter import task_database, task_observation  # noqa: E402, F401
from partnercenter.metrics import worker_endpoint  # noqa: E402, F401
