"""Rates as written in settings: "1200/min", "30/10min", "10/day"; empty means no limit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

UNIT_SECONDS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Rate:
    """At most `limit` uses per fixed window of `window_seconds` (None: a count that never resets)."""

    limit: int
    window_seconds: int | None


def parse_rate(value: str | None) -> Rate | None:
    """The rate a setting names, None when it is empty (no limit). A typo fails loudly, not open."""
    if value is None or not str(value).strip():
        return None
    match = _RATE.match(str(value).lower())
    if match is None or match.group(3) not in UNIT_SECONDS:
        raise ImproperlyConfigured(f"Not a rate: {value!r} (write it like '1200/min', '30/10min' or '10/day').")
    amount, multiplier, unit = match.groups()
    return Rate(limit=int(amount), window_seconds=int(multiplier or 1) * UNIT_SECONDS[unit])
