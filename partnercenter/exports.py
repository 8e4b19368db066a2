"""Lists as files (issue 24, item 3), shared by the console's list exports (console/exports.py) and the
API's (api/exports_views.py): CSV one line at a time (formula-safe, `partnercenter.csv_writer`), XLSX
with xlsxwriter in `constant_memory` mode into an anonymous temporary file, then streamed. Rows are
read with `QuerySet.iterator(chunk_size=…)`, so memory does not grow with the number of rows."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from partnercenter.csv_writer import BYTE_ORDER_MARK, CsvLines

EXPORT_FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 1000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}


@dataclass(frozen=True)
class ExportColumn:
    header: str
    value: Callable[[Any], Any]


def _rows(queryset: QuerySet[Any], columns: list[ExportColumn]) -> Iterator[list[Any]]:
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [column.value(obj) for column in columns]


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    lines = CsvLines()
    yield BYTE_ORDER_MARK + lines.row(header)
    batch: list[str] = []
    for row in rows:
        batch.append(lines.row(row))
        if len(batch) >= 200:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _xlsx_write(worksheet: Any, row: int, col: int, value: Any, date_format: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_string(row, col, str(value))
    elif isinstance(value, (int, float, Decimal)):
        worksheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, col, timezone.localtime(value) if timezone.is_aware(value) else value, date_format)
    elif isinstance(value, date):
        worksheet.write_datetime(row, col, value, date_format)
    else:  # text: always a string cell, never a formula
        worksheet.write_string(row, col, str(value))


def xlsx_file(header: list[str], rows: Iterable[list[Any]], *, sheet_name: str) -> Any:
    """The workbook in an anonymous temporary file, positioned at its start (the caller closes it)."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once streamed
    workbook = xlsxwriter.Workbook(output, {**XLSX_OPTIONS, "tmpdir": tempfile.gettempdir()})
    worksheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, title in enumerate(header):
        worksheet.write_string(0, col, str(title), bold)
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _xlsx_write(worksheet, row_number, col, value, date_format)
    workbook.close()
    output.seek(0)
    return output


def export_response(*, fmt: str, filename: str, columns: list[ExportColumn], queryset: QuerySet[Any]) -> HttpResponseBase:
    header = [str(column.header) for column in columns]
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(csv_lines(header, _rows(queryset, columns)),
                                                           content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        output = xlsx_file(header, _rows(queryset, columns), sheet_name=filename)
        return FileResponse(output, as_attachment=True, filename=f"{filename}-{stamp}.xlsx", content_type=XLSX_CONTENT_TYPE)
    raise Http404


def label(obj: Model, field: str) -> str:
    """A choice field's label (`get_<field>_display`), for columns."""
    return str(getattr(obj, f"get_{field}_display")())


__all__ = ["EXPORT_FORMATS", "XLSX_CONTENT_TYPE", "ExportColumn", "csv_lines", "export_response", "label", "xlsx_file"]
