"""Fixtures for tests against a real Redis broker and a real Celery worker.

- `redis_server`: a redis-server of the test's own on a free port (never the machine's 6379), with
  `stop()`/`start()` for outage drills; always shut down at teardown, even when the test fails.
- `celery_app_on_redis`: `partnercenter.celery.app` pointed at that server, not eager, with its
  cached broker connection pools dropped before and after; the app's settings are restored afterwards.
- `run_celery_worker`: starts an in-thread worker (solo pool) as a context manager.
- `task_outcomes`: what each task run by the worker returned (task_postrun), waitable.
- `publish_log`: every `notifications.services.outbox_publish` call, its result and duration.
- `wait_until`: poll a condition against a deadline.

The worker runs in another thread with its own database connection, so it only sees committed rows:
tests using it need `transactional_db` (`pytest.mark.django_db(transaction=True)`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
import redis
from celery import Celery, signals
from celery.contrib.testing.worker import start_worker
from redis.backoff import NoBackoff
from redis.retry import Retry

from notifications import services
from partnercenter.celery import app as partnercenter_celery_app
from tests.timing import stopwatch

SERVER_START_TIMEOUT = 60.0  # waits on a real process: generous, the loop ends as soon as it answers
SERVER_STOP_TIMEOUT = 60.0
WORKER_SHUTDOWN_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process took the pid
        return False
    try:  # a zombie (exited, not yet reaped) counts as gone
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _deadline_loop(timeout: float, interval: float = 0.02) -> Iterator[None]:
    """Yield until `timeout` seconds have passed, pausing `interval` between rounds."""
    deadline = time.monotonic() + timeout
    while True:
        yield
        if time.monotonic() >= deadline:
            return
        time.sleep(interval)


@dataclass
class RedisServer:
    """A redis-server process of our own, bound to 127.0.0.1 on `port`, data kept nowhere."""

    port: int
    workdir: Path
    pid: int | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.workdir / f"redis-{self.port}.pid"

    @property
    def logfile(self) -> Path:
        return self.workdir / f"redis-{self.port}.log"

    def client(self) -> redis.Redis:
        # No retries: redis-py's default backoff would turn each "is it down?" probe into seconds.
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            db=0,
            socket_connect_timeout=0.5,
            socket_timeout=2,
            retry=Retry(NoBackoff(), 0),
        )

    def ping(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        if self.pid is not None and _process_alive(self.pid):
            raise RuntimeError(f"redis-server on port {self.port} is already running (pid {self.pid})")
        # fmt: off
        subprocess.run(
            [
                "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no",
                "--daemonize", "yes", "--pidfile", str(self.pidfile),
                "--dir", str(self.workdir), "--logfile", str(self.logfile),
            ],
            check=True, timeout=10, stdout=subprocess.DEVNULL,
        )
        # fmt: on
        for _ in _deadline_loop(SERVER_START_TIMEOUT):
            if self.pid is None and self.pidfile.exists():
                text = self.pidfile.read_text().strip()
                self.pid = int(text) if text else None
            if self.pid is not None and self.ping():
                return
        log = self.logfile.read_text()[-2000:] if self.logfile.exists() else "(no log)"
        self.kill()
        raise RuntimeError(f"redis-server on port {self.port} did not answer within {SERVER_START_TIMEOUT}s:\n{log}")

    def stop(self) -> None:
        """Shut the server down (no save) and wait until the process is gone and the port refuses."""
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            check=False,
            timeout=10,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in _deadline_loop(SERVER_STOP_TIMEOUT):
            if (self.pid is None or not _process_alive(self.pid)) and not self.ping():
                self.pid = None
                return
        raise RuntimeError(f"redis-server on port {self.port} (pid {self.pid}) did not stop")

    def kill(self) -> None:
        """Last resort at teardown: SIGKILL our own server by its pid."""
        if self.pid is not None and _process_alive(self.pid):
            os.kill(self.pid, signal.SIGKILL)
            for _ in _deadline_loop(SERVER_STOP_TIMEOUT):
                if not _process_alive(self.pid):
                    break
        self.pid = None

    def queue_length(self, queue: str) -> int:
        """Messages waiting in a Celery queue (kombu's Redis transport keeps each queue as a list)."""
        with self.client() as client:
            return int(client.llen(queue))

    def unacked_count(self) -> int:
        """Messages delivered to a worker and not yet acknowledged (kombu's `unacked` hash)."""
        with self.client() as client:
            return int(client.hlen("unacked"))


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server of this test's own; shut down at teardown whatever happened."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server / redis-cli are not installed")
    server = RedisServer(port=free_port(), workdir=tmp_path)
    server.start()
    try:
        yield server
    finally:
        try:
            if server.pid is not None:
                server.stop()
        finally:
            server.kill()


def _forget_broker_pools(app: Celery, *, close: bool) -> None:
    """Drop the app's cached connection and producer pools so the next publish uses the current URL.

    With `close`, also close their connections and remove them from kombu's process-wide pool groups.
    """
    amqp = app.__dict__.get("amqp")
    cached = [pool for pool in (getattr(amqp, "_producer_pool", None), app._pool) if pool is not None]
    if amqp is not None:
        amqp._producer_pool = None
    app._pool = None
    if not close:
        return
    for pool in cached:
        pool.force_close_all()
        for group in (kombu.pools.connections, kombu.pools.producers):
            for key, value in list(dict.items(group)):
                if value is pool:
                    dict.__delitem__(group, key)


@pytest.fixture
def celery_app_on_redis(redis_server: RedisServer) -> Iterator[Celery]:
    """`partnercenter.celery.app` publishing to `redis_server` for real (not eager), restored afterwards."""
    app = partnercenter_celery_app
    overrides: dict[str, Any] = {"broker_url": redis_server.url, "task_always_eager": False}
    changes = app.conf.changes
    saved = {key: changes[key] for key in overrides if key in changes}
    _forget_broker_pools(app, close=False)  # the test settings' memory:// pool stays in kombu for later
    for key, value in overrides.items():
        setattr(app.conf, key, value)
    try:
        yield app
    finally:
        _forget_broker_pools(app, close=True)
        for key in overrides:
            changes.pop(key, None)
        changes.update(saved)


class TaskOutcomes:
    """Tasks finished by a worker thread (task_postrun): name, args and return value, waitable."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._changed = threading.Condition()

    def _on_postrun(self, sender: Any = None, task_id: str | None = None, args: Any = None, **kwargs: Any) -> None:
        task = kwargs.get("task") or sender
        if getattr(task.request, "is_eager", False):
            return
        with self._changed:
            self.records.append(
                {
                    "task": task.name,
                    "task_id": task_id,
                    "args": tuple(args or ()),
                    "retval": kwargs.get("retval"),
                    "state": kwargs.get("state"),
                }
            )
            self._changed.notify_all()

    def for_task(self, name: str) -> list[dict[str, Any]]:
        with self._changed:
            return [record for record in self.records if record["task"] == name]

    def wait_for(self, name: str, count: int, *, timeout: float) -> list[dict[str, Any]]:
        """Block until `count` runs of task `name` have finished; fail the test after `timeout` seconds."""
        with self._changed:
            done = self._changed.wait_for(
                lambda: len([r for r in self.records if r["task"] == name]) >= count, timeout=timeout
            )
            records = [record for record in self.records if record["task"] == name]
        if not done:
            pytest.fail(f"{len(records)} of {count} runs of {name} finished within {timeout}s: {records}")
        return records


@pytest.fixture
def task_outcomes() -> Iterator[TaskOutcomes]:
    outcomes = TaskOutcomes()
    signals.task_postrun.connect(outcomes._on_postrun, weak=False)
    try:
        yield outcomes
    finally:
        signals.task_postrun.disconnect(outcomes._on_postrun)


def _leave_logging_alone(**kwargs: Any) -> None:
    """A setup_logging receiver: Celery then keeps its hands off the root logger (pytest's capture)."""


@pytest.fixture
def run_celery_worker(
    celery_app_on_redis: Celery,
    transactional_db: None,
    task_outcomes: TaskOutcomes,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Any]:
    """`with run_celery_worker(): ...` runs a real worker (solo pool, in a thread) on `celery_app_on_redis`.

    It consumes the app's default queue and stops when the block exits (also on failure).
    """
    monkeypatch.delenv("TEST_BROKER", raising=False)  # start_worker would connect there instead
    for name in ("CELERY_LOG_LEVEL", "CELERY_LOG_FILE"):  # set by the worker's log setup; undone at teardown
        monkeypatch.setenv(name, os.environ.get(name, ""))

    @contextmanager
    def _run(**options: Any) -> Iterator[Any]:
        options = {
            "pool": "solo",
            "concurrency": 1,
            "perform_ping_check": False,  # the ping needs a result backend; we have none
            "shutdown_timeout": WORKER_SHUTDOWN_TIMEOUT,
            "loglevel": "WARNING",
            **options,
        }
        signals.setup_logging.connect(_leave_logging_alone, weak=False)
        try:
            with start_worker(celery_app_on_redis, **options) as worker:
                yield worker
        finally:
            signals.setup_logging.disconnect(_leave_logging_alone)

    return _run


@dataclass
class PublishCall:
    message_id: int
    published: bool
    seconds: float  # wall time minus the thread's wait for a CPU (tests/timing.py)


@pytest.fixture
def publish_log(monkeypatch: pytest.MonkeyPatch) -> list[PublishCall]:
    """Record every `outbox_publish` (on-commit publishes and the sweep's): result and duration."""
    calls: list[PublishCall] = []
    real_publish = services.outbox_publish

    def recording_publish(*, message_id: int) -> bool:
        with stopwatch() as watch:  # without the wait for a CPU: a busy machine does not count
            published = real_publish(message_id=message_id)
        calls.append(PublishCall(message_id=message_id, published=published, seconds=watch.seconds))
        return published

    monkeypatch.setattr(services, "outbox_publish", recording_publish)
    return calls


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """`wait_until(condition, timeout=..., what=...)`: poll `condition()` until true; fail at the deadline."""

    def _wait_until(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05) -> None:
        for _ in _deadline_loop(timeout, interval):
            if condition():
                return
        pytest.fail(f"timed out after {timeout}s waiting until {what}")

    return _wait_until
