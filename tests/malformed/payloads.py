"""The malformed values the sweep sends, each named for what it tries."""

from __future__ import annotations

# Text values (query parameters, form fields, str path kwargs). Form bodies are sent urlencoded by
# the test client; RAW_* are sent as raw bytes, percent-encoded, so they are not valid UTF-8.
TEXT: dict[str, str] = {
    "nul byte": "a\x00b",
    "overlong (10k chars)": "x" * 10_000,
    "not a uuid": "not-a-uuid",
    "not a number": "1x",
    "negative": "-1",
    "huge number": "99999999999999999999999999",
    "domain with empty label": "a..example",
}

# The subset sent to each field or parameter on its own; the rest go to all of a form's fields at once.
TEXT_EACH = ("nul byte", "not a number")
JSON_EACH = ("nul byte", "array for a scalar")
# What a page that reads no parameter of its own (no form, no link with a query) gets.
TEXT_SHORT = ("nul byte", "overlong (10k chars)", "not a number")

# Percent-encoded byte sequences that are not UTF-8 (an overlong NUL, a lone surrogate, a stray byte).
RAW: dict[str, str] = {
    "invalid utf-8 (encoded surrogate)": "%ed%a0%80",
}

# JSON values for API bodies: what a scalar field should refuse.
JSON: dict[str, object] = {
    "nul byte": "a\u0000b",
    "overlong (10k chars)": "x" * 10_000,
    "not a uuid": "not-a-uuid",
    "negative": -1,
    "huge number": 10**30,
    "array for a scalar": ["a", "b"],
    "object for a scalar": {"a": 1},
    "null": None,
    "boolean": True,
    "lone surrogate": "\ud800",
}

# Whole bodies that are not what the endpoint reads.
BODIES: dict[str, tuple[bytes, str]] = {
    "malformed json": (b'{"a": ', "application/json"),
    "json array body": (b"[1, 2, 3]", "application/json"),
    "json with nul": (b'{"a": "\\u0000"}', "application/json"),
    "json with lone surrogate": (b'{"a": "\\ud800"}', "application/json"),
    "invalid utf-8 json": (b'{"a": "\xff\xfe"}', "application/json"),
    "deeply nested json": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "xml content type": (b"<a>1</a>", "application/xml"),
    "form body to a json endpoint": (b"a=1&b=%00", "application/x-www-form-urlencoded"),
    "multipart without boundary": (b"--x\r\n", "multipart/form-data"),
}

# Values for query parameters the apps read (known lists; schema parameters are added per operation).
KNOWN_QUERY_PARAMS = ("q", "page", "sort", "type", "dap", "country", "status", "customer", "to", "only", "period",
                      "start", "end", "actor", "action", "partner", "cursor", "after", "before", "next", "scope",
                      "page_size", "$filter", "$top", "$skip", "$skiptoken", "$select", "$orderby", "$count", "$expand",
                      "o", "p", "e", "all", "_changelist_filters", "_popup", "_to_field", "language", "tenant")
