"""Bulk onboarding (issue 25, scale 1): a 10,000-row invitation batch, uploaded, confirmed and sent
by the job, in this process against the bench database. Target: the job in <= 60 s.

Measured: the upload (read and check), the job (every row's invitation, email in the outbox,
audit events, chunk by chunk), wall and CPU time of each, rows/s, the Python heap peak during the
upload and during the first and last chunk of the job (tracemalloc, only in those windows so the
rest runs at full speed) and the growth of the process's resident set over the whole job.
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from typing import Any

TARGET_SECONDS = 60.0


def _csv(path: str, rows: int, *, run: str, country: str) -> None:
    header = "company,recipient_email,domain,country,include_delegated_admin,role_bundle,language\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write(header)
        for n in range(rows):
            out.write(f"Bulk {run} Company {n:05d} Kabushiki Kaisha,admin{n:05d}@bulk-{run}-{n:05d}.example,"
                      f"bulk-{run}-{n:05d}.example,{country},yes,helpdesk,en\n")


def _backend_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of this connection's PostgreSQL backend, when it runs on this machine."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _one_at_a_time(**kwargs: Any) -> Any:
    from invitations.create_services import OneAtATimeError

    raise OneAtATimeError


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bulk_onboarding(*, rows: int = 10_000, run: str = "x", exclude_partner_pk: int | None = None,
                    row_by_row: bool = False) -> dict[str, Any]:
    """Upload, confirm and run a `rows`-row batch as a seeded partner's account admin (not the
    partner the request benchmarks measure, so its pages are unchanged). `row_by_row`: every chunk
    takes the row-by-row path (a transaction per row through `invitation_create`, as before issue
    25), for a before/after figure."""
    from django.db import connection

    from invitation_batches import services
    from invitation_batches.choices import BatchStatus
    from invitation_batches.models import InvitationBatch
    from partners.models import PartnerMembership

    membership = (PartnerMembership.objects.select_related("partner", "user").exclude(partner_id=exclude_partner_pk)
                  .filter(partner__cloud="public", roles__contains=["account_admin"]).order_by("partner_id").first())
    if membership is None:
        raise RuntimeError("no seeded partner with an account admin for the bulk rung")
    # Warm up (imports, translation catalogs, templates, query compilation): a 20-row batch, unmeasured.
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "warm.csv")
        _csv(path, 20, run=f"{run}-warm", country=membership.partner.country)
        with open(path, "rb") as stream:
            warm = services.invitation_batch_upload(membership=membership, stream=stream, filename="warm.csv")
    InvitationBatch.objects.filter(pk=warm.pk).update(status=BatchStatus.QUEUED, confirmed_at=warm.created_at)
    services.invitation_batch_process(batch_id=warm.pk)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "customers.csv")
        _csv(path, rows, run=run, country=membership.partner.country)
        size = os.path.getsize(path)
        with open(path, "rb") as stream:
            tracemalloc.start()
            wall, cpu = time.monotonic(), time.process_time()
            batch = services.invitation_batch_upload(membership=membership, stream=stream, filename="customers.csv")
            upload = {"s": round(time.monotonic() - wall, 1), "cpu_s": round(time.process_time() - cpu, 1),
                      "heap_peak_mb": round(tracemalloc.get_traced_memory()[1] / 1e6, 2), "file_bytes": size}
            tracemalloc.stop()
    if batch.invalid_rows:
        raise RuntimeError(f"bulk rung: {batch.invalid_rows} rows were refused at upload")
    # Confirmed (without queueing a Celery job): the job runs here, in this process, so its time
    # and memory are measured alone.
    InvitationBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED, confirmed_at=batch.created_at)
    chunk_peaks: list[float] = []
    done = {"rows": 0}
    rss_seen: list[int] = []
    process_chunk = services._process_chunk

    def metered_chunk(batch: Any, chunk: Any, actor: Any) -> None:
        traced = done["rows"] == 0 or done["rows"] + len(chunk) >= rows
        if traced:
            tracemalloc.start()
        process_chunk(batch, chunk, actor)
        done["rows"] += len(chunk)
        rss_seen.append(_rss())
        if traced:
            chunk_peaks.append(round(tracemalloc.get_traced_memory()[1] / 1e6, 2))
            tracemalloc.stop()

    services._process_chunk = metered_chunk  # type: ignore[assignment]
    create_many = services.invitations_create_sent
    if row_by_row:
        services.invitations_create_sent = _one_at_a_time  # type: ignore[assignment]
    try:
        rss_before = _rss()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = int(cursor.fetchone()[0])
        db_before = _backend_cpu_seconds(backend)
        wall, cpu = time.monotonic(), time.process_time()
        handled = services.invitation_batch_process(batch_id=batch.pk)
        seconds, cpu_seconds = time.monotonic() - wall, time.process_time() - cpu
        db_after = _backend_cpu_seconds(backend)
    finally:
        services._process_chunk = process_chunk  # type: ignore[assignment]
        services.invitations_create_sent = create_many  # type: ignore[assignment]
    batch.refresh_from_db()
    connection.close()
    return {
        "rows": rows, "path": "row by row" if row_by_row else "chunks", "handled": handled, "created": batch.created_rows, "failed": batch.failed_rows, "status": batch.status,
        "partner_id": membership.partner.partner_id, "upload": upload,
        "job_s": round(seconds, 1), "job_cpu_s": round(cpu_seconds, 1), "rows_per_s": round(rows / seconds, 1),
        # The job's own work, whatever else the machine runs: this process's CPU time plus its
        # PostgreSQL backend's (the two take turns, so on a quiet machine the wall time is about their sum).
        "job_db_cpu_s": None if db_before is None or db_after is None else round(db_after - db_before, 1),
        "job_work_s": None if db_before is None or db_after is None else round(cpu_seconds + db_after - db_before, 1),
        "heap_peak_first_chunk_mb": chunk_peaks[0] if chunk_peaks else None,
        "heap_peak_last_chunk_mb": chunk_peaks[-1] if chunk_peaks else None,
        # Resident set after each chunk, against before the job: what the job holds on to.
        "rss_before_mb": round(rss_before / 1e6), "rss_growth_mb": round((max(rss_seen, default=rss_before) - rss_before) / 1e6, 1),
        "loadavg": os.getloadavg(), "target_s": TARGET_SECONDS,
        "met": seconds <= TARGET_SECONDS and batch.created_rows == rows,
    }
