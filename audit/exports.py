"""CSV export of audit events, streamed: rows are read with a server-side cursor in chunks and
written as they come, so a large export holds one chunk in memory, in a constant number of queries.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.formatting import action_labels, data_json, target_type_labels
from audit.models import AuditEvent

CHUNK_SIZE = 1000  # rows per database fetch
ROWS_PER_WRITE = 500  # rows per chunk of the HTTP response
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose `write` returns the line (csv.writer needs something to write to)."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text for a spreadsheet cell; values that a spreadsheet would run as a formula are quoted."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


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
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # byte-order mark: spreadsheets then read UTF-8 (Japanese) correctly
    batch: list[str] = []
    for event in rows:
        partner = event.partner
        customer = event.customer
        batch.append(
            writer.writerow(
                [
                    _cell(event.occurred_at.astimezone(tz).isoformat()),
                    _cell(event.actor_label),
                    _cell(event.action),
                    _cell(actions.get(event.action, event.action)),
                    _cell(types.get(event.target_type, event.target_type)),
                    _cell(event.target_id),
                    _cell(event.target_label),
                    _cell(partner.name if partner else ""),
                    _cell(partner.partner_id if partner else ""),
                    _cell(customer.company_name if customer else ""),
                    _cell(customer.tenant_id if customer else ""),
                    _cell(event.ip_address),
                    _cell(event.request_id),
                    _cell(data_json(event.data)),
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
