"""One log line and the metrics of every request: route (URL name, never the raw path, which can hold
an invitation token), status, duration, database queries, user and partner.

Placed right after RequestIdMiddleware so the duration covers every other middleware.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

from partnercenter import request_context
from partnercenter.metrics import definitions as metrics

logger = logging.getLogger("partnercenter.request")

UNMATCHED_ROUTE = "<unmatched>"
# Polled every few seconds by orchestrators and Prometheus: counted, but logged at DEBUG only.
PROBE_ROUTES = frozenset({"healthz", "readyz", "metrics"})


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else UNMATCHED_ROUTE


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _partner_id(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.kwargs.get("partner_id"):
        return str(match.kwargs["partner_id"])
    principal = getattr(request, "auth", None)  # DRF copies request.auth onto the Django request
    api_key = getattr(principal, "api_key", None)
    partner = getattr(api_key, "partner", None)
    return str(partner.partner_id) if partner is not None else ""


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class RequestObservationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        duration = time.perf_counter() - started
        route = route_of(request)
        status = str(response.status_code)
        metrics.http_requests.labels(route, request.method, status).inc()
        metrics.http_request_duration.labels(route, request.method, status).observe(duration)
        metrics.http_request_db_queries.labels(route).observe(queries.count)
        user_id, partner_id = _user_id(request), _partner_id(request)
        logger.log(
            logging.DEBUG if route in PROBE_ROUTES else logging.INFO,
            "%s %s %s %.1fms user=%s partner=%s queries=%d",
            request.method, route, status, duration * 1000, user_id or "-", partner_id or "-", queries.count,
            extra={
                "route": route, "method": request.method, "status": response.status_code,
                "duration_ms": round(duration * 1000, 2), "db_queries": queries.count,
                "user_id": user_id, "partner_id": partner_id or None,
            },
        )
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]) -> None:
        # Authentication has run by now: tasks enqueued by the view carry the user and partner too.
        request_context.bind_viewer(user_id=_user_id(request), partner_id=str(view_kwargs.get("partner_id", "")))
