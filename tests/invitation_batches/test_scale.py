"""10,000 rows: streamed in, checked and sent with memory that does not grow with the file.

tracemalloc measures the Python heap while the upload is read and checked and while the job runs.
The bound is a fraction of what merely holding the file's text would take, so loading the whole
file (or all its rows) at once would fail it.
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc

import pytest

from invitation_batches.choices import BatchStatus, RowStatus
from invitation_batches.csv_format import COLUMNS
from invitation_batches.models import InvitationBatchRow
from invitation_batches.services import invitation_batch_confirm, invitation_batch_upload
from invitations.models import Invitation

# Real commits: each row commits on its own and its email is handed over after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

ROWS = int(os.environ.get("BULK_SCALE_ROWS", "10000"))


def write_csv(path: str, rows: int) -> int:
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(COLUMNS) + "\n")
        for n in range(rows):
            out.write(f"Scale Company {n:05d} Kabushiki Kaisha (Tokyo Head Office - Information Systems Department),"
                      f"admin{n:05d}@scale-customer-{n:05d}.example,"
                      f"scale-customer-{n:05d}.example,JP,yes,helpdesk,en\n")
    return os.path.getsize(path)


def measured(work):  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        started = time.monotonic()
        result = work()
        seconds = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak, seconds


def upload_measured(partner_a, folder: str):  # type: ignore[no-untyped-def]
    # Warm up (imports, translation catalogs, query compilation) so the measure is the work itself.
    warm = os.path.join(folder, "warm.csv")
    write_csv(warm, 50)
    with open(warm, "rb") as stream:
        invitation_batch_upload(membership=partner_a.admin, stream=stream, filename="warm.csv").rows.all().delete()
    path = os.path.join(folder, "customers.csv")
    size = write_csv(path, ROWS)
    with open(path, "rb") as stream:
        batch, peak, seconds = measured(lambda: invitation_batch_upload(membership=partner_a.admin, stream=stream, filename="customers.csv"))
    print(f"\nbulk scale: upload of {ROWS} rows ({size} B): {seconds:.1f} s, peak {peak / 1e6:.2f} MB")
    return batch, peak, size


def test_ten_thousand_rows_are_read_and_checked_with_constant_memory(partner_a, settings):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        batch, upload_peak, size = upload_measured(partner_a, folder)
    assert (batch.total_rows, batch.invalid_rows) == (ROWS, 0)
    assert InvitationBatchRow.objects.filter(batch=batch, status=RowStatus.VALID).count() == ROWS
    # Holding the file's text alone takes more than `size` bytes (as str); all the rows as objects, far more.
    assert upload_peak < size / 2, f"upload peak {upload_peak} B for a {size} B file"


@pytest.mark.skipif(os.environ.get("BULK_SCALE_JOB") != "1",
                    reason="creates and emails 10,000 invitations (~30 queries each): run with BULK_SCALE_JOB=1")
def test_ten_thousand_row_batch_completes_with_constant_memory(partner_a, settings):  # type: ignore[no-untyped-def]
    settings.INVITATION_DAILY_CAP = ROWS + 10
    # The emails are queued in the outbox and sent as always; the transport keeps nothing in memory.
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    with tempfile.TemporaryDirectory() as folder:
        batch, _upload_peak, size = upload_measured(partner_a, folder)
    # Confirm commits, then the job runs (eager Celery in tests) right after the commit: measured together.
    _confirmed, job_peak, job_seconds = measured(lambda: invitation_batch_confirm(batch=batch, membership=partner_a.admin))
    batch.refresh_from_db()
    print(f"bulk scale: job of {ROWS} rows: {job_seconds:.1f} s, peak {job_peak / 1e6:.2f} MB")
    assert (batch.status, batch.done_rows, batch.created_rows, batch.failed_rows) == (BatchStatus.COMPLETED, ROWS, ROWS, 0)
    assert InvitationBatchRow.objects.filter(batch=batch, status=RowStatus.CREATED, invitation__isnull=False).count() == ROWS
    assert Invitation.objects.filter(partner=partner_a.partner).count() == ROWS
    assert job_peak < size / 2, f"job peak {job_peak} B for a {size} B file"
