"""Reading a JSON request body: one reader for the REST API's parser and the Graph-compatible API.

Beyond what `json.loads` refuses, it refuses what would break later, with a message that says so:
nesting deeper than MAX_DEPTH (the decoder would recurse until RecursionError), and strings — keys
included — holding a NUL character (PostgreSQL text cannot store one) or a lone surrogate (not
encodable as UTF-8, so it cannot be stored, hashed or logged).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 32


class MalformedJson(ValueError):
    """The body cannot be used as JSON; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _depth_exceeds(text: str, limit: int) -> bool:
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _bad_string(value: str) -> str | None:
    if "\x00" in value:
        return _("JSON strings must not contain NUL characters (\\u0000).")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("JSON strings must not contain lone surrogates (such as \\ud800).")
    return None


def _check(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            problem = _bad_string(item)
            if problem:
                raise MalformedJson(problem)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def json_loads(body: bytes | str) -> Any:
    """The decoded body, or MalformedJson."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise MalformedJson(_("The request body is not valid UTF-8.")) from None
    if _depth_exceeds(text, MAX_DEPTH):
        raise MalformedJson(_("The JSON body is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedJson(_("The request body is not valid JSON.")) from None
    _check(value)
    return value
