"""CSV export of audit events, streamed: rows are read with a server-side cursor in chunks and
written as they come, so a large export holds one chunk in memory, in a constant number of queries.
Cells go through the one CSV writer (partnercenter.csv_writer), which neutralises spreadsheet formulas.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.formatting import action_labels, data_json, target_type_labels
from audit.models import AuditEvent
from partnercenter.csv_writer import BYTE_ORDER_MARK, CsvLines

CHUNK_SIZE = 1000  # rows per database fetch
ROWS_PER_WRITE = 500  # rows per chunk of the HTTP response


def audit_csv_header() -> list[str]:
    return [
        _("Time"),
        _("Actor"),
        _("Action code"),
        _("Action"),
        _("Target type"),
        _("Target ID"),
        _("Target"),
        _("Partner"),
        _("Partner ID"),
        _("Customer"),
        _("Tenant ID"),
        _("IP address"),
        _("Request ID"),
        _("Data"),
    ]


def audit_csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The CSV text, a few hundred rows at a time.

    Language and time zone are those active now (the request's); they are resolved before the
    first row because the response streams after the view, and its middleware, have returned.
    """
    tz = timezone.get_current_timezone()
    actions = action_labels()
    types = target_type_labels()
    header = audit_csv_header()
    rows = events.select_related("partner", "customer").iterator(chunk_size=CHUNK_SIZE)
    return _lines(rows, tz=tz, actions=actions, types=types, header=header)


def _lines(
    rows: Iterator[AuditEvent], *, tz: Any, actions: dict[str, str], types: dict[str, str], header: list[str]
) -> Iterator[str]:
    writer = CsvLines()
    yield BYTE_ORDER_MARK + writer.row(header)
    batch: list[str] = []
    for event in rows:
        partner = event.partner
        customer = event.customer
        batch.append(
            writer.row(
                [
                    event.occurred_at.astimezone(tz).isoformat(),
                    event.actor_label,
                    event.action,
                    actions.get(event.action, event.action),
                    types.get(event.target_type, event.target_type),
                    event.target_id,
                    event.target_label,
                    partner.name if partner else "",
                    partner.partner_id if partner else "",
                    customer.company_name if customer else "",
                    customer.tenant_id if customer else "",
                    event.ip_address,
                    event.request_id,
                    data_json(event.data),
                ]
            )
        )
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def audit_csv_response(events: QuerySet[AuditEvent], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(audit_csv_lines(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
