"""What every answer to malformed input must be: under 500, a 4xx that says what was wrong, and
no row written by a refused request."""

from __future__ import annotations

import json
import re
from typing import Any

from django.apps import apps
from django.db import connection

_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_MESSAGE_MARKERS = ('role="alert"', "invalid-feedback", "errorlist", 'class="alert', "errornote")
# Rows a refused request may legitimately write: the session of the signed-in user.
# Sessions and the rate-limit counters change on every request by design (a refused request still
# counts against its key's limit and may open a new window row); neither holds user data.
_UNCOUNTED = {"django_session", "ratelimits_limitcounter"}


def _tables() -> list[str]:
    tables = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in _UNCOUNTED:
            tables.add(meta.db_table)
    return sorted(tables)


def row_counts() -> tuple[int, ...]:
    """The row count of every model's table, in one query."""
    tables = _tables()
    # Table names from the models' own metadata, quoted: nothing from a request reaches this SQL.
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {connection.ops.quote_name(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def changed_tables(before: tuple[int, ...], after: tuple[int, ...]) -> list[str]:
    return [f"{t} {b}->{a}" for t, b, a in zip(_tables(), before, after, strict=True) if a != b]


def says_something(response: Any) -> bool:
    """A 4xx names the problem: problem-JSON `detail`, Graph `error.message`, DRF field errors, or a
    message on the page (an alert, a form error, an error page's text)."""
    content_type = response.get("Content-Type", "")
    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8", "replace")
    if "json" in content_type:
        try:
            data = json.loads(body)
        except ValueError:
            return False
        if isinstance(data, dict):
            error = data.get("error")
            if isinstance(error, dict) and str(error.get("message", "")).strip():
                return True
            if str(data.get("detail", "")).strip():
                return True
            return any(v for k, v in data.items() if k not in {"type", "status", "title", "instance"})
        return bool(data)
    if response.status_code == 400 and "html" in content_type:
        return any(marker in body for marker in _MESSAGE_MARKERS)
    text = " ".join(_TAGS.sub(" ", body).split())
    return len(text) >= 10


def kept_for_inspection(response: Any) -> bool:
    """The one refusal that keeps a row on purpose: a bulk invitation batch with invalid rows answers
    422 `invalid_rows` and keeps the checked batch (nothing sent) at its `Location` for the row errors."""
    if response.status_code != 422 or "json" not in response.get("Content-Type", ""):
        return False
    try:
        data = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("code") == "invalid_rows" and "batch_id" in data and response.has_header("Location")
