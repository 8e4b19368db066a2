"""gunicorn entry point for benchmarks: R0 (plain WSGI, constant JSON) in front of Django."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

django_application = get_wsgi_application()
R0_BODY = b'{"status": "ok", "service": "partnercenter"}'
R0_HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(R0_BODY)))]


def application(environ, start_response):  # type: ignore[no-untyped-def]
    if environ.get("PATH_INFO") == "/bench/r0":
        start_response("200 OK", R0_HEADERS)
        return [R0_BODY]
    return django_application(environ, start_response)
