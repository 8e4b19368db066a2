"""Per-request context (request id, client address) readable from services and log records.

Kept in context variables so the audit helper and the log filter see the current request
without every function passing it along.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    # Set when a non-person authenticates (an API key): audit events by that user carry this label.
    actor_user_id: int | None = None
    actor_label: str = ""
    # The signed-in user and the partner the URL names (set once the view is known; for log lines
    # and the headers of tasks this request enqueues).
    user_id: int | None = None
    partner_id: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("request_context", default=RequestContext())  # noqa: B039 — frozen dataclass


def current() -> RequestContext:
    return _current.get()


def bind(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(context)


def bind_actor(*, user_id: int | None, label: str) -> contextvars.Token[RequestContext]:
    """Name the principal of the current request (e.g. "API key Billing sync") for audit events."""
    return _current.set(replace(_current.get(), actor_user_id=user_id, actor_label=label))


def bind_viewer(*, user_id: int | None, partner_id: str) -> contextvars.Token[RequestContext]:
    """Name the signed-in user and the partner of the current request (log lines, task headers)."""
    return _current.set(replace(_current.get(), user_id=user_id, partner_id=partner_id))


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
