"""Reads for bulk delegated admin, always starting from the partner (another partner's batch is 404)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from invitation_batches.choices import BatchStatus
from invitation_batches.models import DelegatedAdminBatch, DelegatedAdminBatchRow
from partnercenter.csv_writer import BYTE_ORDER_MARK, CsvLines

if TYPE_CHECKING:
    from partners.models import Partner

RESULT_COLUMNS = ("line", "given", "tenant_id", "customer", "domain", "status", "invitation_id", "invitation_url", "reason_code", "reason")


def gdap_batch_list_for_partner(*, partner: Partner) -> QuerySet[DelegatedAdminBatch]:
    return DelegatedAdminBatch.objects.filter(partner=partner).select_related("created_by").order_by("-created_at", "-id")


def gdap_batch_get_for_partner(*, partner: Partner, batch_pk: int) -> DelegatedAdminBatch:
    batch = DelegatedAdminBatch.objects.filter(partner=partner, pk=batch_pk).select_related("created_by").first()
    if batch is None:
        raise Http404
    return batch


def gdap_batch_rows(*, batch: DelegatedAdminBatch, only: str = "") -> QuerySet[DelegatedAdminBatchRow]:
    rows = DelegatedAdminBatchRow.objects.filter(batch=batch).select_related("customer").order_by("line")
    return rows.filter(status=only) if only else rows


def gdap_batch_progress(*, batch: DelegatedAdminBatch) -> dict[str, Any]:
    """What the progress bar polls and the API shows (the bar's keys are those of bulk invitations)."""
    return {
        "id": batch.pk, "status": batch.status, "total_rows": batch.total_rows, "rows_to_send": batch.total_rows,
        "done_rows": batch.done_rows, "created_rows": batch.created_rows, "covered_rows": batch.covered_rows,
        "not_allowed_rows": batch.refused_rows, "failed_rows": batch.covered_rows + batch.refused_rows,
        "percent": batch.percent, "finished": batch.status == BatchStatus.COMPLETED,
    }


def gdap_batch_result_lines(*, batch: DelegatedAdminBatch, invitation_url: Callable[[int], str]) -> Iterator[str]:
    """The per-customer result as CSV text, a line at a time (streamed; formula-safe cells)."""
    writer = CsvLines()
    yield BYTE_ORDER_MARK + writer.row(RESULT_COLUMNS)
    for row in gdap_batch_rows(batch=batch).iterator(chunk_size=1000):
        customer = row.customer
        yield writer.row([
            row.line, row.given, str(customer.tenant_id) if customer else "", customer.company_name if customer else "",
            customer.primary_domain if customer else "", row.status, row.invitation_id or "",
            invitation_url(row.invitation_id) if row.invitation_id else "", row.error_code, row.error_message,
        ])
