"""The customer agreement's published text: one file per version and language (customers/agreements/).

A version's files are what staff load into `AgreementVersion` rows (the demo world loads 2026-01);
the acceptance page shows the row's text, which keeps a light structure: the first line is the title,
`## ` starts a section heading, and blank lines separate paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

AGREEMENTS_DIR = Path(__file__).parent / "agreements"


@dataclass(frozen=True)
class AgreementDocument:
    version: str
    language: str
    title: str
    text: str


class AgreementBlock(NamedTuple):
    """A heading or a paragraph. A tuple of plain values, so a `{% layout_fragment %}` can be keyed by the blocks."""

    heading: bool
    text: str


def agreement_document(version: str, language: str) -> AgreementDocument:
    """The published text of `version` in `language` (FileNotFoundError when there is none)."""
    title, _, text = (AGREEMENTS_DIR / f"customer-agreement-{version}.{language}.txt").read_text(encoding="utf-8").partition("\n")
    return AgreementDocument(version=version, language=language, title=title.strip(), text=text.strip())


def agreement_blocks(text: str) -> list[AgreementBlock]:
    """The text as headings and paragraphs, for the page (a plain text stays one paragraph per blank-line block)."""
    blocks: list[AgreementBlock] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(AgreementBlock(heading=False, text=" ".join(paragraph)))
            paragraph.clear()

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("## "):
            flush()
            blocks.append(AgreementBlock(heading=True, text=line[3:].strip()))
        elif not line:
            flush()
        elif paragraph and line[:1].isdigit():  # "1.2 …" starts its own paragraph
            flush()
            paragraph.append(line)
        else:
            paragraph.append(line)
    flush()
    return blocks
