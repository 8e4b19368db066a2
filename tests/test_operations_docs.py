"""docs/operations.md documents every environment variable the settings read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_read_by_settings_is_in_the_configuration_reference():
    names = set()
    for path in (ROOT / "partnercenter" / "settings").glob("*.py"):
        names |= set(READ.findall(path.read_text()))
    assert {"DATABASE_URL", "TOKEN_PEPPER", "TOKEN_PEPPER_PREVIOUS"} <= names  # the pattern finds them
    reference = (ROOT / "docs" / "operations.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in reference)
    assert missing == [], f"add these to docs/operations.md §1: {missing}"
