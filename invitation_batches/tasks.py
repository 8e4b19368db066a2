"""The one Celery job of a confirmed batch. Thin: it receives the id and calls the service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from invitation_batches.gdap_services import delegated_admin_batch_process
from invitation_batches.services import invitation_batch_process, invitation_batches_recover


# A retry resumes where the last run stopped: rows already done are skipped (conditional updates).
@shared_task(name="invitation_batches.process", acks_late=True, ignore_result=True,
             autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def process_invitation_batch(batch_id: int) -> int:
    return invitation_batch_process(batch_id=batch_id)


# Celery beat: a batch whose job died (worker killed, message lost) is queued again and resumes.
@shared_task(name="invitation_batches.recover", ignore_result=True)
def recover_invitation_batches() -> int:
    return len(invitation_batches_recover())


# Bulk delegated admin (issue 24): same shape; a retry resumes at the first waiting row.
@shared_task(name="invitation_batches.process_delegated_admin", acks_late=True, ignore_result=True,
             autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def process_delegated_admin_batch(batch_id: int) -> int:
    return delegated_admin_batch_process(batch_id=batch_id)
