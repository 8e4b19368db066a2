"""The bulk invitation CSV: its columns, the template, and streamed reading of rows.

Reading never holds the whole file: `read_rows` yields one dict per line from any stream with
`read()` (an uploaded file, the API request body) and the caller stores them in chunks.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from invitation_batches.errors import BatchError
from partnercenter.csv_writer import csv_document

COLUMNS: tuple[str, ...] = (
    "company", "recipient_email", "domain", "country", "include_delegated_admin", "role_bundle", "language",
)
REQUIRED_COLUMNS = frozenset({"company", "recipient_email", "domain", "country"})
EXAMPLE_ROW: dict[str, str] = {
    "company": "Northwind Traders", "recipient_email": "it@northwind.example", "domain": "northwind.example",
    "country": "JP", "include_delegated_admin": "yes", "role_bundle": "user_management", "language": "ja",
}
TRUE_VALUES = frozenset({"yes", "y", "true", "1", "はい"})
FALSE_VALUES = frozenset({"no", "n", "false", "0", "いいえ"})
MAX_FIELD_CHARS = 1000  # a longer cell is an error; never stored in full


@dataclass(frozen=True)
class ParsedLine:
    line: int
    values: dict[str, str]
    extra_cells: int  # cells beyond the header (a shifted or malformed line)
    missing_cells: int


def template_csv() -> str:
    """The downloadable template: a header row and one example row (UTF-8 with BOM, for spreadsheets)."""
    return csv_document([COLUMNS, [EXAMPLE_ROW[c] for c in COLUMNS]])


def text_lines(stream: IO[Any] | Iterable[str]) -> Iterator[str]:
    """Decode a byte stream as UTF-8 (BOM allowed) lazily; text iterables pass through."""
    if hasattr(stream, "read"):
        reader = codecs.getreader("utf-8-sig")(stream)  # type: ignore[arg-type]
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise BatchError("not_utf8", _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from exc
    else:
        yield from stream


def read_rows(stream: IO[Any] | Iterable[str]) -> Iterator[ParsedLine]:
    """Yield the data lines of a CSV, one at a time, after checking its header."""
    csv.field_size_limit(MAX_FIELD_CHARS * 4)
    reader = csv.reader(text_lines(stream))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise BatchError("malformed_csv", _("The file is not a readable CSV: %(error)s") % {"error": exc}) from exc
    if header is None:
        raise BatchError("empty_file", _("The file is empty. Start from the template: a header row, then one row per customer."))
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in COLUMNS if c in REQUIRED_COLUMNS and c not in names]
    unknown = [n for n in names if n and n not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        raise BatchError("bad_header", _("The header row does not match the template (%(problems)s). The columns are: %(expected)s.")
                         % {"problems": "; ".join(parts), "expected": ", ".join(COLUMNS)})
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            values = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(names) if name}
            yield ParsedLine(line=reader.line_num, values=values, extra_cells=max(0, len(cells) - len(names)),
                             missing_cells=max(0, len(names) - len(cells)))
    except csv.Error as exc:
        raise BatchError("malformed_csv", _("Line %(line)s is not valid CSV: %(error)s") % {"line": reader.line_num, "error": exc}) from exc


def parse_bool(value: str) -> bool | None:
    """yes/no (also true/false, 1/0); blank means yes. None when unreadable."""
    value = value.strip().lower()
    if not value:
        return True
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    return None
