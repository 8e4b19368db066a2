"""Bulk invitations: upload and check a CSV (or API rows), confirm it, and create the invitations.

The upload is one transaction that stores the rows in chunks as they are read (never the whole
file in memory) and checks each; nothing is sent. Confirming queues ONE Celery job. The job creates
the invitations a chunk of rows at a time (issue 25): one transaction per chunk, with set-based
checks and writes through the invitation services (`invitations_create_sent`, the same rule
functions as a single `invitation_create`), the invitations, their emails, audit events and the
rows' statuses committing together; a row a rule refuses fails alone, and a retried job skips the
rows already done. A chunk that reaches a limit counted across rows (the daily cap, a mailbox's
emails today) goes row by row, each row in its own transaction, as before. The batch's progress
counters are recounted from the rows' statuses every second (checked after each chunk) and at the end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from invitation_batches.checks import check_chunk, mark_duplicates_in_file, row_from_line
from invitation_batches.choices import BatchSource, BatchStatus, RowStatus
from invitation_batches.csv_format import COLUMNS, ParsedLine, read_rows
from invitation_batches.errors import BatchError
from invitation_batches.job_runner import rows_walk
from invitation_batches.models import DelegatedAdminBatch, InvitationBatch, InvitationBatchRow
from invitation_batches.wording import words
from invitations.create_services import InvitationRequest, OneAtATimeError, invitation_create, invitations_create_sent
from invitations.email_limits import partner_invitations_bucket, partner_invitations_rate
from invitations.models import Invitation
from partnercenter.directory_roles import BUNDLES
from partnercenter.errors import DomainError, PermissionDeniedError
from partners.api_key_services import api_key_actor
from partners.authz import Permission, authorize
from partners.models import ApiKey, PartnerMembership
from ratelimits.services import limit_hits

logger = logging.getLogger(__name__)


def json_lines(rows: Iterable[dict[str, Any]]) -> Iterable[ParsedLine]:
    """API JSON rows as parsed lines (line = position, from 1), same checks as a CSV."""
    for position, item in enumerate(rows, start=1):
        values = {name: "" if item.get(name) is None else str(item.get(name)).strip() for name in COLUMNS}
        if isinstance(item.get("include_delegated_admin"), bool):
            values["include_delegated_admin"] = "yes" if item["include_delegated_admin"] else "no"
        yield ParsedLine(line=position, values=values, extra_cells=0, missing_cells=0)


@transaction.atomic
def invitation_batch_upload(
    *,
    membership: PartnerMembership,
    stream: IO[Any] | Iterable[str] | None = None,
    lines: Iterable[ParsedLine] | None = None,
    filename: str = "",
    source: str = BatchSource.UPLOAD,
    replaces: InvitationBatch | None = None,
    api_key: ApiKey | None = None,
) -> InvitationBatch:
    """Read a CSV `stream` (or API `lines`), store and check every row; send nothing.

    Pre: the member may request relationships; the header matches the template; at most
    INVITATION_BATCH_MAX_ROWS rows. Post: a `preview` batch whose rows carry their errors and
    notices (it can be confirmed only when no row has an error); `replaces` (an earlier preview
    the partner is fixing by re-uploading) becomes `discarded`. Raises BatchError for a file that
    cannot be read at all; then nothing is stored. API calls pass their `api_key`: the job acts
    as that key (its technical user and scoped roles), as the API itself does.
    """
    authorize(membership, Permission.REQUEST_RELATIONSHIP)
    partner = membership.partner
    batch = InvitationBatch.objects.create(partner=partner, membership=membership if membership.pk else None, api_key=api_key,
                                           created_by=membership.user, source=source, filename=filename[:255])
    parsed = lines if lines is not None else read_rows(stream if stream is not None else [])
    chunk: list[InvitationBatchRow] = []
    total = 0
    limit, size = settings.INVITATION_BATCH_MAX_ROWS, settings.INVITATION_BATCH_CHUNK_ROWS
    for line in parsed:
        total += 1
        if total > limit:
            raise BatchError("too_many_rows", _("The file has more than %(limit)s rows. Split it into several files.") % {"limit": limit})
        chunk.append(row_from_line(batch=batch, partner=partner, parsed=line))
        if len(chunk) >= size:
            _store_chunk(partner, chunk)
            chunk = []
    _store_chunk(partner, chunk)
    if total == 0:
        raise BatchError("no_rows", _("The file has a header but no rows: add one row per customer."))
    mark_duplicates_in_file(batch=batch)
    invalid = InvitationBatchRow.objects.filter(batch=batch, status=RowStatus.INVALID).count()
    InvitationBatch.objects.filter(pk=batch.pk).update(total_rows=total, invalid_rows=invalid)
    batch.total_rows, batch.invalid_rows = total, invalid
    if replaces is not None and replaces.partner_id == partner.pk:
        InvitationBatch.objects.filter(pk=replaces.pk, status=BatchStatus.PREVIEW).update(status=BatchStatus.DISCARDED)
    return batch


def _store_chunk(partner: Any, chunk: list[InvitationBatchRow]) -> None:
    if chunk:
        check_chunk(partner=partner, rows=chunk)
        InvitationBatchRow.objects.bulk_create(chunk)


def _locked(batch: InvitationBatch, partner_id: int) -> InvitationBatch:
    locked = InvitationBatch.objects.select_for_update().filter(pk=batch.pk, partner_id=partner_id).first()
    if locked is None:
        raise BatchError("not_found", _("There is no such batch."))
    return locked


@transaction.atomic
def invitation_batch_confirm(*, batch: InvitationBatch, membership: PartnerMembership) -> InvitationBatch:
    """Queue the one job that creates the invitations; only a checked batch without errors.

    Post: `queued`, an audit event, and the job enqueued after commit (a rollback queues nothing).
    Confirming twice is refused (`not_preview`), so the job is queued once.
    """
    authorize(membership, Permission.REQUEST_RELATIONSHIP, batch)
    locked = _locked(batch, membership.partner_id)
    if locked.status != BatchStatus.PREVIEW:
        raise BatchError("not_preview", _("This batch was already confirmed or replaced."))
    if locked.invalid_rows:
        raise BatchError("rows_have_errors", _("%(count)s row(s) have errors. Fix them in your file and upload it again.")
                         % {"count": locked.invalid_rows})
    if not locked.valid_rows:
        raise BatchError("no_rows", _("This batch has no rows to send."))
    # What the partner's daily counter has left (each row's create counts itself, and is refused past the cap).
    left = settings.INVITATION_DAILY_CAP - limit_hits(bucket=partner_invitations_bucket(locked.partner_id), rate=partner_invitations_rate())
    if locked.valid_rows > left:
        raise BatchError("daily_cap", _("Your organisation can send %(left)s more invitation(s) today; this batch has %(rows)s. Split it or try again tomorrow.")
                         % {"left": max(left, 0), "rows": locked.valid_rows})
    now = timezone.now()
    InvitationBatch.objects.filter(pk=locked.pk, status=BatchStatus.PREVIEW).update(status=BatchStatus.QUEUED, confirmed_at=now)
    locked.status, locked.confirmed_at = BatchStatus.QUEUED, now
    audit_record(action=AuditAction.INVITATION_BATCH_CONFIRMED, actor=membership.user, partner=locked.partner, target=locked,
                 after={"rows": locked.valid_rows, "source": locked.source, "filename": locked.filename})

    from invitation_batches.tasks import (  # noqa: PLC0415 — see the comment below
        process_invitation_batch,  # tasks imports this module: a top-level import would be a cycle
    )

    transaction.on_commit(partial(process_invitation_batch.delay, locked.pk))
    return locked


class _AlreadyDone(Exception):
    """The row was processed by an earlier run of the job: undo this attempt quietly."""


class _ActorGone(Exception):
    """The partner user or API key that sent the batch no longer exists or was revoked."""


def invitation_batch_process(*, batch_id: int, clock: Callable[[], float] = time.monotonic) -> int:
    """The job: create and send the invitation of every ready row, a chunk of rows per transaction.

    Takes a `queued` batch (or resumes a `running` one after a retry) and walks its ready rows in
    line order, a chunk at a time. Returns how many rows this run handled. `clock` times the
    progress writes (every PROGRESS_INTERVAL_SECONDS of it); tests pass one they control, so the
    statements a run costs do not depend on how fast the machine is.
    """
    now = timezone.now()
    claimed = InvitationBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(status=BatchStatus.RUNNING, started_at=now)
    batch = InvitationBatch.objects.select_related("partner").filter(pk=batch_id).first()
    if batch is None or (not claimed and batch.status != BatchStatus.RUNNING):
        return 0
    size = settings.INVITATION_BATCH_CHUNK_ROWS
    handled = rows_walk(
        next_chunk=lambda after: list(InvitationBatchRow.objects.filter(batch_id=batch_id, status=RowStatus.VALID, line__gt=after)
                                      .order_by("line")[:size]),
        actor_for=lambda: _batch_actor(batch),
        process=lambda row, actor: _process_row(batch, row, actor),
        count=lambda: _count_rows(batch_id),
        clock=clock,
        process_chunk=lambda rows, actor: _process_chunk(batch, rows, actor),
    )
    with transaction.atomic():
        _count_rows(batch_id)
        if InvitationBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).update(status=BatchStatus.COMPLETED, finished_at=timezone.now()):
            batch.refresh_from_db()
            audit_record(action=AuditAction.INVITATION_BATCH_COMPLETED, actor=None, partner=batch.partner, target=batch,
                         after={"created": batch.created_rows, "failed": batch.failed_rows})
    return handled


# How often the running job writes its progress counters (rows done, created, failed) to the batch.


def _count_rows(batch_id: int) -> None:
    """Progress counters from the rows' own statuses (one UPDATE): exact whenever written, even after
    a job died between a row's commit and the next count, and one statement per second instead of
    one per row."""
    rows = InvitationBatchRow.objects.filter(batch_id=batch_id).order_by().values("batch_id")

    def count(*statuses: str) -> Subquery:
        return Subquery(rows.filter(status__in=statuses).annotate(n=Count("pk")).values("n")[:1])

    InvitationBatch.objects.filter(pk=batch_id).update(
        done_rows=Coalesce(count(RowStatus.CREATED, RowStatus.FAILED), 0),
        created_rows=Coalesce(count(RowStatus.CREATED), 0),
        failed_rows=Coalesce(count(RowStatus.FAILED), 0),
    )


def _batch_actor(batch: InvitationBatch | DelegatedAdminBatch) -> PartnerMembership | None:
    """Who the invitations are created as: the uploader's membership as it is now, or the API key's actor."""
    if batch.membership_id:
        return PartnerMembership.objects.select_related("partner", "user").filter(pk=batch.membership_id).first()
    if batch.api_key_id:
        key = ApiKey.objects.select_related("partner", "user").filter(pk=batch.api_key_id, revoked_at__isnull=True).first()
        if key is not None and (key.expires_at is None or key.expires_at > timezone.now()):
            return api_key_actor(api_key=key)
    return None


def _row_request(row: InvitationBatchRow) -> InvitationRequest:
    """What a row asks for, as the invitation services take it (the one mapping both paths use)."""
    roles = list(BUNDLES[row.role_bundle][1]) if row.include_delegated_admin and row.role_bundle else None
    return InvitationRequest(recipient_email=row.email_key, target_domain=row.domain_key,
                             include_delegated_admin=bool(row.include_delegated_admin), language=row.language, roles=roles)


def _process_chunk(batch: InvitationBatch, rows: Sequence[InvitationBatchRow], membership: PartnerMembership | None) -> None:
    """A chunk of rows in one transaction with set-based checks and writes (`invitations_create_sent`):
    the invitations, their emails and events, and the rows' statuses commit together.

    The rows still `valid` are locked first, so a job running over the same batch at the same time
    waits, then finds them done and skips them. Each row gets what `_process_row` would give it.
    When a limit counted across rows is reached (the daily cap, a mailbox's emails today), or
    anything unexpected happens, the chunk's transaction rolls back and its rows go one at a time
    through `_process_row`, exactly as before.
    """
    if membership is None:
        _fail_rows(batch, [row.pk for row in rows], code="forbidden", params={})
        return
    if connection.vendor != "postgresql":  # the embedded default (SQLite): small batches, row by row
        for row in rows:
            _process_row(batch, row, membership)
        return
    try:
        with transaction.atomic():
            todo = list(InvitationBatchRow.objects.select_for_update().filter(pk__in=[row.pk for row in rows], status=RowStatus.VALID)
                        .order_by("line"))
            if not todo:
                return
            try:
                outcomes = invitations_create_sent(membership=membership, requests=[_row_request(row) for row in todo])
            except PermissionDeniedError as error:  # a role change after the upload: every row is refused alike
                outcomes = [error] * len(todo)
            _rows_record(todo, outcomes)
        return
    except OneAtATimeError:
        pass
    except Exception:  # the chunk is undone; row by row, a row that still breaks fails alone (and is logged)
        logger.exception("bulk invitation chunk failed; rows one at a time", extra={"batch_id": batch.pk, "line": rows[0].line})
    for row in rows:
        _process_row(batch, row, membership)


def _rows_record(rows: list[InvitationBatchRow], outcomes: Sequence[Invitation | DomainError]) -> None:
    """Each row's outcome on the row, in one UPDATE: its invitation, or the refusal as `_process_row`
    words it (code and the service's message, no params)."""
    values: list[Any] = []
    for row, outcome in zip(rows, outcomes, strict=True):
        if isinstance(outcome, DomainError):
            values += [row.pk, RowStatus.FAILED, None, outcome.code, str(outcome.message)]
        else:
            values += [row.pk, RowStatus.CREATED, outcome.pk, "", ""]
    table = InvitationBatchRow._meta.db_table
    placeholders = ", ".join(["(%s::bigint, %s::varchar, %s::bigint, %s::varchar, %s::text)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS r
               SET status = v.status, invitation_id = v.invitation_id, error_code = v.error_code,
                   error_message = v.error_message, error_params = NULL, processed_at = %s
              FROM (VALUES {placeholders}) AS v (id, status, invitation_id, error_code, error_message)
             WHERE r.id = v.id
            """,  # noqa: S608 - the table name is ours, values are parameters
            [timezone.now(), *values],
        )


def _fail_rows(batch: InvitationBatch, row_ids: list[int], *, code: str, params: dict[str, object]) -> None:
    """The job's own failure (`_fail_row`) for many rows in one UPDATE."""
    InvitationBatchRow.objects.filter(pk__in=row_ids, status=RowStatus.VALID).update(
        status=RowStatus.FAILED, error_code=code, error_message=words(code, params), error_params=params, processed_at=timezone.now()
    )


def _process_row(batch: InvitationBatch, row: InvitationBatchRow, membership: PartnerMembership | None) -> None:
    try:
        with transaction.atomic():
            if membership is None:
                raise _ActorGone
            request = _row_request(row)
            invitation = invitation_create(
                membership=membership, include_delegated_admin=request.include_delegated_admin, recipient_email=request.recipient_email,
                target_domain=request.target_domain, language=request.language, roles=request.roles, send_email=True,
            )
            if not InvitationBatchRow.objects.filter(pk=row.pk, status=RowStatus.VALID).update(
                status=RowStatus.CREATED, invitation=invitation, processed_at=timezone.now()
            ):
                raise _AlreadyDone
    except _AlreadyDone:
        return
    except _ActorGone:
        _fail_row(batch, row, code="forbidden", params={})
    except DomainError as error:  # InvitationError, or a refusal (PermissionDeniedError) after a role change
        _fail_row(batch, row, code=error.code, message=error.message)
    except Exception:  # one broken row must not stop the others; the log has the details
        logger.exception("bulk invitation row failed", extra={"batch_id": batch.pk, "line": row.line})
        _fail_row(batch, row, code="unexpected_error", params={})


def _fail_row(batch: InvitationBatch, row: InvitationBatchRow, *, code: str, message: str = "",
              params: dict[str, object] | None = None) -> None:
    """The row failed: `params` for the job's own failures (worded for each reader by
    invitation_batches.wording), or only `message` for a service's refusal."""
    InvitationBatchRow.objects.filter(pk=row.pk, status=RowStatus.VALID).update(
        status=RowStatus.FAILED, error_code=code, error_message=message if params is None else words(code, params),
        error_params=params, processed_at=timezone.now()
    )


def invitation_batches_recover(*, now: datetime | None = None) -> list[int]:
    """Queue the job again for every batch whose job died or whose message was lost (Celery beat).

    A `queued` batch confirmed more than INVITATION_BATCH_STALL_SECONDS ago, or a `running` one
    that started that long ago and has not finished a row since, gets its job published again. The
    job resumes where the last run stopped: rows already done are skipped (a chunk locks its rows
    still `valid` before creating anything, and a row on its own is a conditional update in its own
    transaction), so a job that was only slow and a resumed
    one can overlap without sending anything twice. Returns the ids of the batches re-queued.
    """
    from invitation_batches.tasks import (  # noqa: PLC0415 — see the comment below
        process_invitation_batch,  # tasks imports this module: a top-level import would be a cycle
    )

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.INVITATION_BATCH_STALL_SECONDS)
    last_row_done = InvitationBatchRow.objects.filter(batch=OuterRef("pk"), processed_at__isnull=False).order_by("-processed_at").values("processed_at")[:1]
    stalled = list(
        InvitationBatch.objects.filter(
            Q(status=BatchStatus.QUEUED, confirmed_at__lt=stale)
            | Q(status=BatchStatus.RUNNING, started_at__lt=stale)
        )
        .annotate(last_row_done=Subquery(last_row_done))
        .filter(Q(last_row_done__isnull=True) | Q(last_row_done__lt=stale))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    requeued = []
    for batch_id in stalled:
        try:
            process_invitation_batch.delay(batch_id)
        except Exception:  # broker down: the next sweep tries again
            logger.warning("invitation batch re-queue failed", extra={"batch_id": batch_id}, exc_info=True)
            break
        logger.warning("invitation batch stalled: job queued again", extra={"batch_id": batch_id})
        requeued.append(batch_id)
    return requeued
