"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

from __future__ import annotations

import logging
import os

from celery import Celery, signals
from celery.utils.log import mlevel

from partnercenter import redis_broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.local")
# `redis://` brokers: kombu's Redis transport with one client per channel (partnercenter/redis_broker.py).
redis_broker.register()

app = Celery("partnercenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _use_django_logging(*, loglevel: int | str | None = None, **kwargs: object) -> None:
    """Workers and beat log through Django's LOGGING only (django.setup() has configured it): with a
    receiver here Celery adds none of its own handlers (root, celery.task), which would carry no
    secret-redacting filter (partnercenter.log_filters). `--loglevel` still sets the root level, as
    Celery itself would (its "ready." line and task lines are INFO)."""
    if loglevel:
        logging.getLogger().setLevel(mlevel(loglevel))

# Request id into task headers and back out in the worker; task log lines and metrics. Reuse the
# worker's database connection between tasks (CONN_MAX_AGE), checked as Django does between requests.
from partnercenter import task_database, task_observation  # noqa: E402, F401
from partnercenter.metrics import worker_endpoint  # noqa: E402, F401
