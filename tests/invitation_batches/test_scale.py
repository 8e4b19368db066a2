"""10,000 rows: streamed in, checked and sent with memory that does not grow with the file.

tracemalloc measures the Python heap while the upload is read and checked: the bound is a fraction
of what merely holding the file's text would take, so loading the whole file (or all its rows) at
once would fail it. The job (run by default, in its own xdist group) is measured per chunk: the
heap peak of a chunk near the start against the last chunk's, and the resident set size every 500
rows, so memory that grows with the rows done fails it.
"""

from __future__ import annotations

import logging
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
from notifications.models import OutboxMessage

# Real commits: each chunk of rows commits on its own and its emails are handed over after commit, as in production.
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


class JobMeter:
    """Follows the job chunk by chunk (wrapping `_process_chunk`): the resident set size every 500
    rows, and the Python heap (tracemalloc) during one chunk near the start and during the last
    chunk. Tracing only those two windows keeps the rest of the job at full speed."""

    WINDOW = 250  # one chunk (INVITATION_BATCH_CHUNK_ROWS)

    def __init__(self, rows: int) -> None:
        self.rows, self.done = rows, 0
        self.first_window = (min(1000, rows // 4), min(1000, rows // 4) + self.WINDOW)
        self.last_window = (rows - self.WINDOW, rows)
        self.rss: dict[int, int] = {}
        self.window_peaks: list[int] = []

    @staticmethod
    def resident_bytes() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def chunk_starts(self) -> None:
        if self.done in (self.first_window[0], self.last_window[0]):
            tracemalloc.start()

    def chunk_done(self, rows: int) -> None:
        before, self.done = self.done, self.done + rows
        if self.done // 500 > before // 500 or self.done == self.rows:
            self.rss[self.done] = self.resident_bytes()
        if self.done in (self.first_window[1], self.last_window[1]) and tracemalloc.is_tracing():
            self.window_peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()


@pytest.mark.xdist_group("bulk_scale")  # heavy: one worker runs it while the other runs the rest
def test_ten_thousand_row_batch_completes_with_constant_memory(partner_a, settings, monkeypatch):  # type: ignore[no-untyped-def]
    from django.db import connection

    from invitation_batches import services
    from notifications import services as outbox

    settings.INVITATION_DAILY_CAP = ROWS + 10
    # The job's part ends when a row's email is in the outbox and handed to the broker after its
    # commit; sending it is the worker's job (measured by the P7/P8 benchmarks), not done here.
    published: list[int] = []
    monkeypatch.setattr(outbox, "outbox_publish", lambda *, message_id: published.append(message_id) or True)
    with tempfile.TemporaryDirectory() as folder:
        batch, _upload_peak, _size = upload_measured(partner_a, folder)
    meter = JobMeter(ROWS)
    process_chunk = services._process_chunk

    def metered_chunk(batch, rows, actor):  # type: ignore[no-untyped-def]
        meter.chunk_starts()
        process_chunk(batch, rows, actor)
        meter.chunk_done(len(rows))

    monkeypatch.setattr(services, "_process_chunk", metered_chunk)
    postgres = connection.vendor == "postgresql"
    # Test database only: every chunk commits on its own, and waiting for each commit's WAL flush
    # would measure this machine's disk rather than the job (production keeps synchronous commits).
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    # Per-row INFO log lines would pile up in pytest's log capture (the test's memory, not the job's).
    logging.disable(logging.INFO)
    try:
        started = time.monotonic()
        # Confirm commits, then the job runs (eager Celery in tests) right after the commit.
        invitation_batch_confirm(batch=batch, membership=partner_a.admin)
        job_seconds = time.monotonic() - started
    finally:
        logging.disable(logging.NOTSET)
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    batch.refresh_from_db()
    first_peak, last_peak = meter.window_peaks
    after_first = meter.rss[min(r for r in meter.rss if r >= meter.first_window[1])]
    growth = max(meter.rss.values()) - after_first
    print(f"bulk scale: job of {ROWS} rows: {job_seconds:.1f} s ({ROWS / job_seconds:.0f} rows/s); heap peak during a chunk: "
          f"{first_peak / 1e6:.2f} MB (rows {meter.first_window[0]}-{meter.first_window[1]}) vs {last_peak / 1e6:.2f} MB (last rows); "
          f"RSS {after_first / 1e6:.0f} MB after row {meter.first_window[1]}, +{growth / 1e6:.1f} MB by row {ROWS}")
    # Per-row statuses, and every row done exactly once.
    assert (batch.status, batch.done_rows, batch.created_rows, batch.failed_rows) == (BatchStatus.COMPLETED, ROWS, ROWS, 0)
    assert InvitationBatchRow.objects.filter(batch=batch, status=RowStatus.CREATED, invitation__isnull=False).count() == ROWS
    assert Invitation.objects.filter(partner=partner_a.partner, sent_to__startswith="admin").count() == ROWS
    queued = OutboxMessage.objects.filter(partner=partner_a.partner, template="invitations/email/invitation")
    assert queued.count() == ROWS
    assert sorted(published) == sorted(queued.values_list("pk", flat=True))  # each handed over once, after its commit
    # Constant memory: a chunk near the end needs no more heap than a chunk near the start, and the
    # process does not grow with the rows done (10,000 rows of growth would show as several MB).
    assert last_peak <= first_peak * 1.25 + 256_000, (first_peak, last_peak)
    assert growth < 8_000_000, meter.rss
