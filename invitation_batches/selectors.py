"""Reads for bulk invitations, always starting from the partner (another partner's batch is 404)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation

from invitation_batches.models import InvitationBatch, InvitationBatchRow
from invitation_batches.wording import problem_words, words
from partnercenter.csv_writer import BYTE_ORDER_MARK, CsvLines

if TYPE_CHECKING:
    from partners.models import Partner

RESULT_COLUMNS = ("line", "company", "recipient_email", "domain", "status", "invitation_id", "invitation_url", "error_code", "error")


def batch_list_for_partner(*, partner: Partner) -> QuerySet[InvitationBatch]:
    return InvitationBatch.objects.filter(partner=partner).select_related("created_by").order_by("-created_at", "-id")


def batch_get_for_partner(*, partner: Partner, batch_pk: int) -> InvitationBatch:
    batch = InvitationBatch.objects.filter(partner=partner, pk=batch_pk).select_related("created_by").first()
    if batch is None:
        raise Http404
    return batch


def batch_rows(*, batch: InvitationBatch, only: str = "") -> QuerySet[InvitationBatchRow]:
    rows = InvitationBatchRow.objects.filter(batch=batch).order_by("line")
    if only:
        rows = rows.filter(status=only)
    return rows


def batch_progress(*, batch: InvitationBatch) -> dict[str, Any]:
    """What the progress bar and the API status show."""
    return {
        "id": batch.pk, "status": batch.status, "total_rows": batch.total_rows, "invalid_rows": batch.invalid_rows,
        "rows_to_send": batch.to_process, "done_rows": batch.done_rows, "created_rows": batch.created_rows,
        "failed_rows": batch.failed_rows, "percent": batch.percent, "finished": batch.status == "completed",
    }


def row_error_text(row: InvitationBatchRow) -> tuple[str, str]:
    """The row's error code and its words in the active language (the reader's)."""
    if row.error_code:
        return row.error_code, words(row.error_code, row.error_params, row.error_message)
    if row.errors:
        return row.errors[0]["code"], " ".join(problem_words(e) for e in row.errors)
    return "", ""


def batch_result_lines(*, batch: InvitationBatch, invitation_url: Any) -> Iterator[str]:
    """The result as CSV text, a line at a time (for a streaming response: bounded memory).

    Company, address, domain and error text come from the uploaded file: the writer neutralises
    any that a spreadsheet would run as a formula. Line and invitation id stay numbers. The errors
    are worded in the language active now (the reader's), though the lines are written later, as
    the response streams.
    """
    return _result_lines(batch=batch, invitation_url=invitation_url, language=translation.get_language())


def _result_lines(*, batch: InvitationBatch, invitation_url: Any, language: str | None) -> Iterator[str]:
    writer = CsvLines()
    yield BYTE_ORDER_MARK + writer.row(RESULT_COLUMNS)
    for row in batch_rows(batch=batch).iterator(chunk_size=1000):
        with translation.override(language):
            code, message = row_error_text(row)
        yield writer.row([row.line, row.company, row.recipient_email, row.domain, row.status, row.invitation_id or "",
                          invitation_url(row.invitation_id) if row.invitation_id else "", code, message])
