"""Per-request context (request id, client address) readable from services and log records.

Kept in context variables so the audit helper and the log filter see the current request
without every function passing it along.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("request_context", default=RequestContext())  # noqa: B039 — frozen dataclass


def current() -> RequestContext:
    return _current.get()


def bind(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(context)


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
