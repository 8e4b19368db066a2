from __future__ import annotations

from celery import shared_task

from audit.partitions import audit_partitions_ensure


@shared_task(name="audit.ensure_partitions", acks_late=True, ignore_result=True)
def ensure_partitions() -> list[str]:
    """Create the audit log's monthly partitions ahead of time (PostgreSQL; a no-op on SQLite)."""
    return audit_partitions_ensure()
