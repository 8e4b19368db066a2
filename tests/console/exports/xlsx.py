"""Reading back the cells of an exported workbook (zip + XML; no spreadsheet library needed)."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def xlsx_rows(content: bytes) -> tuple[list[list[str]], str]:
    """The first sheet's rows as text (numbers as their text) and the sheet's raw XML."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314 — our own export
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
    rows: list[list[str]] = []
    for row in ElementTree.fromstring(sheet).iter(f"{{{NS['m']}}}row"):  # noqa: S314 — our own export
        cells: dict[int, str] = {}
        for cell in row.findall("m:c", NS):
            column = _column_index(re.sub(r"\d", "", cell.get("r", "")))
            kind = cell.get("t")
            if kind == "inlineStr":
                cells[column] = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
            elif kind == "s":
                cells[column] = shared[int(cell.findtext("m:v", "0", NS))]
            else:
                cells[column] = cell.findtext("m:v", "", NS)
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return rows, sheet


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1
