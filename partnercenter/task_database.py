"""Database connections in Celery workers, handled as Django handles them between requests.

Celery's Django fixup would close every connection around every task; settings.CELERY_DB_REUSE_MAX
turns that off (see there), and these receivers take its place: before and after each task,
`close_old_connections()` drops a connection that is past CONN_MAX_AGE, left in a transaction or
that raised errors, and arms the CONN_HEALTH_CHECKS check for the task's first query, so a restarted
or dropped PostgreSQL costs one failed task at most, never a stuck worker.
"""

from __future__ import annotations

from typing import Any

from celery import signals
from django.db import close_old_connections, connections


def _close_old_connections(task: Any = None, **kwargs: Any) -> None:
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # eager (tests): the task runs inside the caller's request and transaction
    if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        return
    close_old_connections()


signals.task_prerun.connect(_close_old_connections, weak=False)
signals.task_postrun.connect(_close_old_connections, weak=False)
