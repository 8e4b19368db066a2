"""The README's layer diagram is the import-linter layers contract, drawn: the two must not drift apart."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def _diagram_domain_layers() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    diagram = readme.split("### Layers", 1)[1].split("```text", 1)[1].split("```", 1)[0].splitlines()
    start = next(i for i, line in enumerate(diagram) if line.startswith(" domain "))
    layers = []
    for line in diagram[start:]:
        if line.startswith(" ─"):
            break
        cells = line[13:].split("   ")[0].strip()  # the layer column; notes follow after three spaces
        layers.append(" | ".join(part.strip() for part in cells.split("│")))
    return layers


def test_the_readme_diagram_lists_the_domain_layers_of_the_contract_in_its_order():
    (layers_contract,) = [c for c in _contracts() if c["type"] == "layers"]
    assert _diagram_domain_layers() == layers_contract["layers"]


def test_the_interfaces_of_the_diagram_are_the_independent_interfaces_of_the_contract():
    (independence,) = [c for c in _contracts() if c["type"] == "independence"]
    readme = (ROOT / "README.md").read_text()
    line = next(row for row in readme.splitlines() if row.startswith(" interfaces "))
    assert re.findall(r"[a-z_]+", line.split("(")[0])[1:] == independence["modules"]


def test_no_contract_ignores_imports():
    assert all("ignore_imports" not in contract for contract in _contracts())
