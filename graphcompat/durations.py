"""ISO-8601 durations as Graph sends them, plus Python's `str(timedelta)` (the msgraph Python SDK
serializes timedelta that way, an open upstream bug). Answers are always `P{n}D` or `PT0S`."""

from __future__ import annotations

import re

_ISO = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_PYTHON = re.compile(r"^(?:(?P<days>\d+) days?, )?(?P<hours>\d{1,2}):(?P<minutes>\d{2}):(?P<seconds>\d{2})$")


def parse_days(value: object) -> int | None:
    """Whole days of an ISO-8601 (`P730D`, `P2Y` = 730, `P1W`, `PT0S`) or str(timedelta) value; None when
    it is neither or not a whole number of days. A year counts 365 days (Graph: P2Y = P730D)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _ISO.match(text.upper()) or _PYTHON.match(text)
    if match is None:
        return None
    parts = {key: int(number) for key, number in match.groupdict().items() if number}
    seconds = parts.get("hours", 0) * 3600 + parts.get("minutes", 0) * 60 + parts.get("seconds", 0)
    if seconds % 86400:
        return None
    return parts.get("years", 0) * 365 + parts.get("weeks", 0) * 7 + parts.get("days", 0) + seconds // 86400


def format_days(days: int) -> str:
    return f"P{days}D" if days else "PT0S"
