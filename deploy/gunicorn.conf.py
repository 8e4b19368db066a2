"""gunicorn settings file (`gunicorn -c deploy/gunicorn.conf.py partnercenter.wsgi:application`).

Logging without secrets (below), and what multi-process metrics need (everything else comes from the
command line or GUNICORN_CMD_ARGS):
- with PROMETHEUS_MULTIPROC_DIR set, a worker that exits is marked dead (prometheus-client stops
  counting its live gauges; counters and histograms keep their totals);
- with GUNICORN_METRICS_PORT set as well, the master serves the summed counters of its workers on that
  port (no Django, no Host check): how Prometheus scrapes each web container of a scaled service
  (deploy/prometheus.yml). Internal network only, like any exporter.
"""

from __future__ import annotations

import os

# Logs without secrets (issue 18): no access log (our own request line, partnercenter.request, names
# the route, never the raw path with a token); gunicorn's own lines go through the secret-redacting
# filter and formatter; and should someone turn the access log on (--access-logfile), its format
# carries no path or query.
accesslog = None
logger_class = "partnercenter.gunicorn_logging.RedactingGunicornLogger"
access_log_format = '%(h)s %(t)s "%(m)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'


def when_ready(server):  # type: ignore[no-untyped-def]
    port = os.environ.get("GUNICORN_METRICS_PORT", "").strip()
    if port and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import CollectorRegistry, multiprocess, start_http_server

        registry = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(registry)
        start_http_server(int(port), addr=os.environ.get("GUNICORN_METRICS_ADDR", "0.0.0.0"), registry=registry)  # noqa: S104
        server.log.info("process metrics on port %s", port)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
