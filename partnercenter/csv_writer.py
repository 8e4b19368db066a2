"""The one CSV writer of every export (bulk results, activity logs, staff exports, funnel, template).

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (CSV formula injection: `=HYPERLINK(...)` leaks data, DDE payloads run commands). Every text
cell that would start with one of them, also after leading whitespace, which spreadsheets skip, is
prefixed with a single quote, the OWASP rule: the spreadsheet shows it as text. Numbers we produce
(`int`, `float`, `Decimal`) stay numbers, negative ones too; text that only looks like a number
(a `-1` someone typed) is text and is neutralised.

Nothing else in the code base calls `csv.writer` (tests/test_csv_writer.py scans for it), so an export
added later gets the protection by using this module:

- `CsvLines`: formats one row at a time into a string, for streaming responses;
- `csv_document(rows)`: a whole (small) file as one string.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

BYTE_ORDER_MARK = "\ufeff"  # spreadsheets then read the UTF-8 (Japanese) text correctly
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def csv_cell(value: Any) -> str | int | float | Decimal:
    """What is written for `value`: numbers as they are, everything else as neutralised text."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, (datetime, date)) else str(value)
    rest = text.lstrip()
    leading = text[: len(text) - len(rest)]
    if rest.startswith(FORMULA_PREFIXES) or "\t" in leading or "\r" in leading:
        return NEUTRALISER + text
    return text


class _Line:
    """A file-like object whose `write` hands the formatted line back (csv.writer needs a file)."""

    def write(self, value: str) -> str:
        return value


class CsvLines:
    """Formats rows as CSV lines (`\\r\\n`-terminated), every cell through `csv_cell`.

    `row()` returns the line as a string, so a streaming response yields lines (or batches of
    them) as they are read, and never holds the file.
    """

    def __init__(self) -> None:
        self._writer = csv.writer(_Line(), lineterminator="\r\n")

    def row(self, cells: Iterable[Any]) -> str:
        return self._writer.writerow([csv_cell(cell) for cell in cells])


def csv_document(rows: Iterable[Iterable[Any]], *, byte_order_mark: bool = True) -> str:
    """A whole CSV file as one string (for small files: the template, the funnel)."""
    lines = CsvLines()
    return (BYTE_ORDER_MARK if byte_order_mark else "") + "".join(lines.row(row) for row in rows)
