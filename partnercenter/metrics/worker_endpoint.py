"""A Celery worker's own metrics endpoint, for deployments where workers do not share a host (and
so a PROMETHEUS_MULTIPROC_DIR) with a web process: `CELERY_METRICS_PORT=9808` makes the worker's main
process serve its pool's counters on that port (aggregated over the prefork children through
PROMETHEUS_MULTIPROC_DIR, which each worker container then needs as well).

Unauthenticated, like every exporter: expose it on the internal network only (docker-compose does).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import signals
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

logger = logging.getLogger(__name__)


@signals.worker_ready.connect(weak=False)
def serve_worker_metrics(**kwargs: Any) -> None:
    port = os.environ.get("CELERY_METRICS_PORT", "").strip()
    if not port:
        return
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0"), registry=registry)  # noqa: S104
    logger.info("worker metrics on port %s", port)
