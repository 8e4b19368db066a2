"""Exports of the console's lists (issue 24, item 3): exactly the rows the list's current filters show,
as CSV or XLSX, streamed.

A list view that can be exported gives its filtered queryset (`filtered_queryset()`, the one its page
paginates) and its columns (`export_columns()`); `ListExportMixin` then answers
`…/export.csv` and `…/export.xlsx` with the same filters read from the same query string, the same
permission (the list's) and the same tenancy (the list's selector takes the partner).

- CSV: one line at a time through `partnercenter.csv_writer.CsvLines` (formula-safe), rows read with
  `QuerySet.iterator(chunk_size=…)`: memory does not grow with the number of rows.
- XLSX: `xlsxwriter` in `constant_memory` mode (each row flushed to a temporary file as written) into an
  anonymous temporary file, then streamed from it by `FileResponse`. Text is written with
  `write_string` and the workbook refuses to turn strings into formulas, URLs or numbers, so a cell
  starting with `=` is text, never a formula.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase

from partnercenter.exports import EXPORT_FORMATS, ExportColumn, export_response, label


class ListExportMixin:
    """Put before the list view class: `class XExportView(ListExportMixin, XListView)`.

    The list view provides `filtered_queryset()`, `export_columns()` and `export_filename`; the format
    comes from the URL (`{"fmt": "csv"}` or `{"fmt": "xlsx"}`)."""

    kwargs: dict[str, Any]
    # Provided by the list view, which comes after this mixin in the MRO (so no stubs here).
    export_filename: str
    filtered_queryset: Callable[[], QuerySet[Any]]
    export_columns: Callable[[], list[ExportColumn]]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        fmt = self.kwargs.get("fmt", "")
        if fmt not in EXPORT_FORMATS:
            raise Http404
        return export_response(fmt=fmt, filename=self.export_filename, columns=self.export_columns(),
                               queryset=self.filtered_queryset())


__all__ = ["EXPORT_FORMATS", "ExportColumn", "ListExportMixin", "export_response", "label"]
