"""partnercenter.json_input: the one JSON reader of the REST API and the Graph-compatible API."""

from __future__ import annotations

import pytest

from partnercenter.json_input import MAX_DEPTH, MalformedJson, json_loads


def test_valid_json_reads_as_json_even_with_brackets_inside_strings():
    assert json_loads(b'{"a": ["[[[{{{", 1, {"b": null}]}') == {"a": ["[[[{{{", 1, {"b": None}]}
    assert json_loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"a": ', "not valid JSON"),
    (b'{"a": "\xff"}', "not valid UTF-8"),
    (b"[" * 5000 + b"]" * 5000, "nested more than"),
    (b'{"a": "x\\u0000"}', "NUL"),
    (b'{"a\\u0000": 1}', "NUL"),
    (b'{"a": ["\\ud800"]}', "lone surrogates"),
])
def test_what_would_break_later_is_refused_with_the_reason(body, reason):
    with pytest.raises(MalformedJson) as refused:
        json_loads(body)
    assert reason in refused.value.message
