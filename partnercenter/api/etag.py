"""Entity tags for optimistic concurrency: ETag on reads, If-Match on updates.

A resource's ETag is a strong tag over its JSON representation (canonical form, SHA-256), so it
changes whenever anything an integrator can see changes. Updates compare If-Match with the tag
of the row *locked* for the update, so a concurrent writer cannot slip in between the check and
the write: a stale tag answers 412, a missing one 428 where the operation requires it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from rest_framework.utils.encoders import JSONEncoder

from partnercenter.api.problems import PreconditionFailed, PreconditionRequired

if TYPE_CHECKING:
    from rest_framework.request import Request


def compute_etag(representation: Any) -> str:
    canonical = json.dumps(representation, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:40] + '"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def require_if_match(request: Request, current_etag: str, *, required: bool) -> None:
    """412 when If-Match names another version, 428 when it is missing and `required`.

    Strong comparison (RFC 9110 §13.1.1): weak tags (W/"…") never match; `*` matches any.
    """
    header = request.headers.get("If-Match", "")
    if not header.strip():
        if required:
            raise PreconditionRequired()
        return
    tags = _tags(header)
    if "*" in tags:
        return
    if current_etag not in tags:
        raise PreconditionFailed()


def if_none_match_hits(request: Request, current_etag: str) -> bool:
    """True when the client already holds this version (weak comparison, for 304 on GET)."""
    header = request.headers.get("If-None-Match", "")
    tags = [tag.removeprefix("W/") for tag in _tags(header)]
    return "*" in tags or current_etag in tags
