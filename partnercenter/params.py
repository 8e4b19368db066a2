"""Reading values out of a request: one parser for query parameters and posted ids.

What the database cannot hold or the code cannot use — a NUL byte, an id that is not a number, a
number out of range — is refused with `MalformedInput`, a 400 that names the parameter and
says what is wrong (pages: partnercenter.error_views.bad_request; the API and Graph have their own
error bodies and parse with their serializers). Text is trimmed and cut to `max_length`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1  # PostgreSQL bigint


class MalformedInput(BadRequest):
    """A value of the request cannot be read. `message` says which and why (shown on the 400 page)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def refuse_nul(name: str, value: str) -> str:
    if "\x00" in value:
        raise MalformedInput(name, _("“%(name)s” contains a NUL character, which is not allowed.") % {"name": name})
    return value


def text_param(params: Mapping[str, Any], name: str, *, default: str = "", max_length: int = 200) -> str:
    """A free-text parameter (search, filter), trimmed and cut to `max_length`."""
    value = params.get(name, default)
    if not isinstance(value, str):
        value = default
    return refuse_nul(name, value).strip()[:max_length]


@overload
def id_value(name: str, value: object, *, required: Literal[True] = ...) -> int: ...
@overload
def id_value(name: str, value: object, *, required: bool) -> int | None: ...
def id_value(name: str, value: object, *, required: bool = True) -> int | None:
    """A row id as sent (form field or query parameter): a positive integer, or MalformedInput.
    Empty gives None when not `required`."""
    text = "" if value is None else str(value).strip()
    if not text and not required:
        return None
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise MalformedInput(name, _("“%(name)s” must be the id of an existing item (a positive whole number).") % {"name": name})
    return int(text)


@overload
def id_param(params: Mapping[str, Any], name: str, *, required: Literal[True] = ...) -> int: ...
@overload
def id_param(params: Mapping[str, Any], name: str, *, required: bool) -> int | None: ...
def id_param(params: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    return id_value(name, params.get(name), required=required)
