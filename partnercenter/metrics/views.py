"""`/metrics` in the Prometheus text format, for staff sessions or `Authorization: Bearer <METRICS_TOKEN>`."""

from __future__ import annotations

import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from partnercenter.metrics.database_gauges import DatabaseStateCollector


def _bearer_token_matches(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _sep, presented = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and constant_time_compare(presented.strip(), expected)


SCOPES = ("all", "database", "processes")


def render_metrics(scope: str = "all") -> bytes:
    """`database`: the gauges counted from the database (the same from any web process);
    `processes`: the counters of this host's processes (this process alone without multiprocess mode)."""
    output = b""
    if scope in {"all", "processes"}:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            processes = CollectorRegistry(auto_describe=False)
            multiprocess.MultiProcessCollector(processes)
            output += generate_latest(processes)
        else:
            output += generate_latest(REGISTRY)
    if scope in {"all", "database"}:
        database = CollectorRegistry(auto_describe=False)
        database.register(DatabaseStateCollector())
        output += generate_latest(database)
    return output


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    user = getattr(request, "user", None)
    if not (_bearer_token_matches(request) or (user is not None and user.is_active and user.is_staff)):
        response = HttpResponse(_("Metrics need a staff session or the metrics bearer token."), status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    scope = request.GET.get("scope", "all")
    if scope not in SCOPES:
        return HttpResponse(_("Unknown scope: use all, database or processes."), status=400,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(render_metrics(scope), content_type=CONTENT_TYPE_LATEST)
