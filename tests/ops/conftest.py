"""Fixtures for operations tests: servers of our own on free ports (never the machine's services).

- `ops_port(offset)`: a port nothing listens on, picked by the kernel (two suites may share the machine).
- `redis_server`: a redis-server of the test's own on such a port (overrides the notifications fixture
  of the same name for tests in this folder; the RedisServer helper is shared).
- `app_server`: starts gunicorn with production settings and the given environment, waits for /healthz.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.notifications.conftest import RedisServer, free_port

SERVER_START_TIMEOUT = 120.0  # a loaded 2-CPU machine boots Django slowly


def ops_port(offset: int) -> int:
    """A port nothing listens on now, picked by the kernel: another suite (a second `make test` on
    another database) may share the machine, so no fixed range. `offset` only names the use."""
    del offset
    return free_port()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server / redis-cli are not installed")
    server = RedisServer(port=ops_port(0), workdir=tmp_path)
    server.start()
    try:
        yield server
    finally:
        try:
            if server.pid is not None:
                server.stop()
        finally:
            server.kill()


def http_get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 60.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 — loopback URLs built here
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def created_test_database_url() -> str:
    """The URL of the database pytest-django created (test_<name>), for a subprocess to use."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def app_server(tmp_path: Path) -> Callable[..., object]:
    """`with app_server(port, env) as base_url:` runs gunicorn (production settings) until the block exits."""

    @contextmanager
    def _run(port: int, env: dict[str, str]) -> Iterator[str]:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "partnercenter.settings.production",
            "DJANGO_SECRET_KEY": "ops-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        log = (tmp_path / f"gunicorn-{port}.log").open("wb")
        # fmt: off
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "partnercenter.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"],
            cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
        # fmt: on
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while True:
                try:
                    if http_get(f"{base_url}/healthz", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"gunicorn did not start:\n{(tmp_path / f'gunicorn-{port}.log').read_text()[-3000:]}")
                time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()

    return _run


# The real-worker fixtures of the notifications tests, on this folder's redis_server (ports 74xx).
from tests.notifications.conftest import (  # noqa: E402, F401
    celery_app_on_redis,
    run_celery_worker,
    task_outcomes,
    wait_until,
)


class JsonLogCapture:
    """Records (DEBUG and up, any thread) formatted as production does: JSON lines through the
    request-id and secret-redacting filters, kept in memory."""

    def __init__(self) -> None:
        import io
        import logging

        from pythonjsonlogger.json import JsonFormatter

        from partnercenter.log_filters import RequestIdFilter, SecretRedactingFilter

        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setLevel(logging.DEBUG)
        self.handler.addFilter(RequestIdFilter())
        self.handler.addFilter(SecretRedactingFilter())
        # factory_boy (tests only, never in production) logs the arguments of set_password at DEBUG.
        self.handler.addFilter(lambda record: not record.name.startswith("factory"))
        self.handler.setFormatter(JsonFormatter(settings.LOGGING["formatters"]["json"]["format"]))

    def raw(self) -> str:
        self.handler.flush()
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        import json

        return [json.loads(line) for line in self.raw().splitlines() if line.strip()]


@pytest.fixture
def capture_json_logs() -> Callable[[], object]:
    """`with capture_json_logs() as capture:` attaches a JsonLogCapture to the root logger.

    Enter it after starting a worker: the worker thread runs django.setup(), whose logging
    configuration replaces the root logger's handlers.
    """
    import logging

    @contextmanager
    def _capture() -> Iterator[JsonLogCapture]:
        capture = JsonLogCapture()
        root = logging.getLogger()
        previous_level = root.level
        root.addHandler(capture.handler)
        root.setLevel(logging.DEBUG)
        try:
            yield capture
        finally:
            root.removeHandler(capture.handler)
            root.setLevel(previous_level)

    return _capture
