"""Fault drills: real PostgreSQL, a redis-server of our own, a real Celery worker process, an SMTP sink.

- `drill_redis`: redis-server on 127.0.0.1:7540 (this engineer's port range), stop/start at will.
- `drill_broker`: `partnercenter.celery.app` in this process publishes to it for real (not eager).
- `sink`: aiosmtpd on 127.0.0.1:7545 recording every message's outbox id (bench.sink), with
  `faults` to refuse with 4xx/5xx or to slow DATA down.
- `workers`: starts `celery -A partnercenter worker` processes (prefork) on the test database,
  each in its own process group; can SIGKILL a child, SIGKILL the whole worker or SIGTERM it.
- `invitations_api`: POST /api/v1/invitations (send_email) through the whole stack, timing each call.

All drills share fixed ports, so they run in one xdist group ("drills").

`DRILL_BROKER=amqp://...` (`make drills-rabbitmq`) runs the broker-independent drills on that RabbitMQ,
each on a queue of its own that is deleted afterwards; the Redis fault drills are skipped then.
`DRILL_REDIS_PORT` / `DRILL_SMTP_PORT` move the redis-server and the sink off 7540 / 7545.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from bench.sink import RecordingHandler, smtp_sink
from notifications.models import OutboxMessage
from partnercenter.celery import app as celery_app
from partners.api_key_services import api_key_create
from tests.notifications.conftest import RedisServer, _forget_broker_pools
from tests.timing import Stopwatch, stopwatch

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REDIS_PORT = int(os.environ.get("DRILL_REDIS_PORT") or 7540)
SMTP_PORT = int(os.environ.get("DRILL_SMTP_PORT") or 7545)
DRILL_BROKER = os.environ.get("DRILL_BROKER", "")  # empty: a redis-server of our own on REDIS_PORT
redis_broker_only = pytest.mark.skipif(
    bool(DRILL_BROKER), reason="a Redis fault drill: it needs Redis as the broker, and DRILL_BROKER is set")
WORKER_READY_TIMEOUT = 150.0  # a celery worker needs seconds to start; minutes on a machine at load 30
INVITATION_TEMPLATE = "invitations/email/invitation"


# Every drill binds the same fixed ports, so they must all run on one xdist worker: each module's
# `pytestmark` carries `xdist_group("drills")` (a mark added in this hook would come after xdist's
# own collection hook has read the groups, and the drills would be split across workers).


def poll(condition: Callable[[], Any], *, timeout: float, what: str | Callable[[], str], interval: float = 0.1) -> Any:
    """Poll `condition()` until it is truthy; fail the test at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting until {what() if callable(what) else what}")
        time.sleep(interval)


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def drill_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    # The previous drill's server may still be exiting on a loaded machine: wait for the port to be free.
    poll(lambda: not _port_in_use(REDIS_PORT), timeout=60, what=f"port {REDIS_PORT} is free")
    server = RedisServer(port=REDIS_PORT, workdir=tmp_path)
    server.start()
    try:
        yield server
    finally:
        try:
            if server.pid is not None:
                os.kill(server.pid, signal.SIGCONT)  # a paused server must hear the shutdown
                server.stop()
        except (ProcessLookupError, RuntimeError):
            pass
        finally:
            server.kill()


@dataclass
class AmqpBroker:
    """A RabbitMQ that is not ours: the drill only uses (and then deletes) a queue of its own on it."""

    url: str
    queue: str = field(default_factory=lambda: f"drills-{secrets.token_hex(4)}")

    def delete_queue(self) -> None:
        from kombu import Connection

        with Connection(self.url, connect_timeout=5) as amqp:
            amqp.default_channel.queue_delete(self.queue)


@pytest.fixture
def drill_broker(request: pytest.FixtureRequest) -> Iterator[RedisServer | AmqpBroker]:
    broker: RedisServer | AmqpBroker = AmqpBroker(DRILL_BROKER) if DRILL_BROKER else request.getfixturevalue("drill_redis")
    overrides: dict[str, Any] = {"broker_url": broker.url, "task_always_eager": False}
    if isinstance(broker, AmqpBroker):
        overrides["task_default_queue"] = broker.queue
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in overrides if key in changes}
    _forget_broker_pools(celery_app, close=False)
    for key, value in overrides.items():
        setattr(celery_app.conf, key, value)
    try:
        yield broker
    finally:
        _forget_broker_pools(celery_app, close=True)
        for key in overrides:
            changes.pop(key, None)
        changes.update(saved)
        if isinstance(broker, AmqpBroker):
            broker.delete_queue()


@dataclass
class SinkFaults:
    """What the sink answers: 4xx to everyone until `temporary_until`, 5xx to addresses containing `reject`."""

    temporary_until: float = 0.0
    reject: str = ""
    temporary_refusals: int = 0

    def refusal(self, address: str) -> str | None:
        if self.reject and self.reject in address:
            return "550 5.1.1 Mailbox unavailable"
        if time.monotonic() < self.temporary_until:
            self.temporary_refusals += 1
            return "451 4.3.0 Try again later"
        return None


@pytest.fixture
def sink() -> Iterator[RecordingHandler]:
    faults = SinkFaults()
    with smtp_sink(port=SMTP_PORT, refusal=faults.refusal) as handler:
        handler.faults = faults  # type: ignore[attr-defined]
        yield handler


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class WorkerProcess:
    proc: subprocess.Popen[bytes]
    logfile: Path
    stopped_on_purpose: bool = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def children(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def log(self) -> str:
        return self.logfile.read_text(errors="replace")[-4000:] if self.logfile.exists() else ""

    def kill_child(self) -> int:
        pid = poll(lambda: (self.children() or [None])[0], timeout=10, what="a worker child process")
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_all(self) -> None:
        """SIGKILL the main process and its children (the whole process group)."""
        self.stopped_on_purpose = True
        os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self, *, timeout: float = 60) -> None:
        """Warm shutdown: SIGTERM to the main process, which finishes the tasks it is running."""
        self.stopped_on_purpose = True
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=timeout)


@dataclass
class Workers:
    env: dict[str, str]
    workdir: Path
    started: list[WorkerProcess] = field(default_factory=list)

    def start(self, *, concurrency: int = 2) -> WorkerProcess:
        logfile = self.workdir / f"worker-{len(self.started)}.log"
        args = [sys.executable, "-m", "celery", "-A", "partnercenter", "worker", "--pool", "prefork",
                "--concurrency", str(concurrency), "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--queues", self.env.get("CELERY_TASK_DEFAULT_QUEUE", "default"), "--loglevel", "INFO", "--hostname", f"drill-{len(self.started)}@%h"]
        with open(logfile, "wb") as out:
            proc = subprocess.Popen(args, env=self.env, cwd=BASE_DIR, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        worker = WorkerProcess(proc=proc, logfile=logfile)
        self.started.append(worker)
        poll(lambda: " ready." in worker.log() or proc.poll() is not None, timeout=WORKER_READY_TIMEOUT, what="the worker is ready")
        if proc.poll() is not None:
            pytest.fail(f"the worker exited at start:\n{worker.log()}")
        return worker

    def supervise(self) -> int:
        """What a process supervisor (docker `restart:`, systemd `Restart=`) does: restart dead workers."""
        restarted = 0
        for worker in list(self.started):
            if worker.proc.poll() is not None and not worker.stopped_on_purpose:
                worker.stopped_on_purpose = True  # replaced; not restarted twice
                self.start()
                restarted += 1
        return restarted

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
                worker.proc.wait(timeout=10)


@pytest.fixture
def workers(drill_broker: RedisServer | AmqpBroker, sink: RecordingHandler, transactional_db: None, tmp_path: Path, settings: Any) -> Iterator[Workers]:
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    settings.OUTBOX_SENDING_LEASE_SECONDS = 3
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.drills.worker_settings",
        "DATABASE_URL": _database_url(),
        "DRILL_BROKER_URL": drill_broker.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "OUTBOX_RETRY_BACKOFF_SECONDS": "1",
        "OUTBOX_SENDING_LEASE_SECONDS": "3",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("TEST_BROKER", None)
    if isinstance(drill_broker, AmqpBroker):
        env["CELERY_TASK_DEFAULT_QUEUE"] = drill_broker.queue
    pool = Workers(env=env, workdir=tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


@dataclass
class Created:
    index: int
    status: int
    seconds: float
    invitation_id: int | None
    publish_seconds: float = 0.0  # time spent handing the email to the broker (Redis) in this request


@dataclass
class InvitationsApi:
    client: Client
    token: str
    created: list[Created] = field(default_factory=list)
    publishes: list[float] = field(default_factory=list)

    def create(self, count: int, *, before_each: Callable[[int], None] | None = None,
               recipient: Callable[[int], str] = lambda index: f"drill-{index}@customer.example") -> list[Created]:
        for index in range(count):
            if before_each:
                before_each(index)
            body = {"include_delegated_admin": True, "recipient_email": recipient(index), "language": "en",
                    "send_email": True}
            published_before = len(self.publishes)
            with stopwatch() as request:  # without the wait for a CPU (tests/timing.py)
                response = self.client.post("/api/v1/invitations", data=json.dumps(body), content_type="application/json",
                                            HTTP_AUTHORIZATION=f"Bearer {self.token}")
            seconds = request.seconds
            invitation_id = response.json()["id"] if response.status_code == 201 else None
            self.created.append(Created(index=index, status=response.status_code, seconds=seconds,
                                        invitation_id=int(invitation_id) if invitation_id else None,
                                        publish_seconds=sum(self.publishes[published_before:])))
        return self.created

    def slowest(self, attribute: str = "seconds") -> list[tuple[int, float]]:
        return sorted(((c.index, round(getattr(c, attribute), 2)) for c in self.created), key=lambda x: -x[1])[:5]

    @property
    def succeeded(self) -> list[Created]:
        return [c for c in self.created if 200 <= c.status < 300]

    def outbox_ids(self) -> dict[int, int]:
        """Invitation id -> the outbox row of its invitation email."""
        topics = {f"invitation:{c.invitation_id}": c.invitation_id for c in self.succeeded}
        rows = OutboxMessage.objects.filter(topic__in=list(topics), template=INVITATION_TEMPLATE).values_list("pk", "topic")
        return {topics[topic]: pk for pk, topic in rows}


@pytest.fixture
def invitations_api(partner_a: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> InvitationsApi:
    from notifications import services

    settings.API_RATE_LIMIT = ""
    issued = api_key_create(membership=partner_a.admin, name="drills", scopes=["invitations:write"])
    api = InvitationsApi(client=Client(raise_request_exception=False), token=issued.token)
    real_publish = services.outbox_publish

    def timed_publish(*, message_id: int) -> bool:
        publish = Stopwatch()
        try:
            with stopwatch() as publish:
                return real_publish(message_id=message_id)
        finally:
            api.publishes.append(publish.seconds)  # without the wait for a CPU (tests/timing.py)

    monkeypatch.setattr(services, "outbox_publish", timed_publish)
    # Warm-up (imports, templates, first connections), not counted: the timings then measure faults only.
    response = api.client.post("/api/v1/invitations", data=json.dumps(
        {"include_delegated_admin": True, "recipient_email": "warm-up@customer.example", "send_email": True}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert response.status_code == 201, response.content
    return api


def assert_every_invitation_emailed_once(api: InvitationsApi, sink: RecordingHandler, *, timeout: float = 90,
                                         sweep: bool = True, duplicates_allowed: int = 0,
                                         supervisor: Workers | None = None) -> dict[int, int]:
    """Every invitation that got a 2xx has exactly one email in the sink (the sweep runs as beat would)."""
    from notifications.services import outbox_sweep

    outbox = api.outbox_ids()
    assert len(outbox) == len(api.succeeded), "every created invitation has its invitation email in the outbox"

    def all_arrived() -> bool:
        if supervisor is not None:
            supervisor.supervise()
        if sweep:
            outbox_sweep()
        counts = sink.count_by_outbox_id()
        return all(counts.get(pk, 0) >= 1 for pk in outbox.values())

    def state() -> str:
        from django.db.models import Count

        statuses = dict(OutboxMessage.objects.filter(pk__in=outbox.values()).values_list("status").annotate(n=Count("pk")))
        arrived = sum(1 for pk in outbox.values() if sink.count_by_outbox_id().get(pk))
        return f"{arrived} of {len(outbox)} arrived; outbox statuses {statuses}; refused {len(sink.refused)}"

    poll(all_arrived, timeout=timeout, what=lambda: f"every invitation email is in the sink ({state()})", interval=0.5)
    counts = sink.count_by_outbox_id()
    duplicates = {pk: n for pk, n in counts.items() if pk in outbox.values() and n > 1}
    # One line per drill for the record (shown with `pytest -s`, as `make drills-rabbitmq` runs it).
    print(f"\n[drill figures] broker {'amqp' if DRILL_BROKER else 'redis'}: {len(outbox)} invitation emails, "
          f"{sum(1 for pk in outbox.values() if counts.get(pk))} delivered, "
          f"{sum(n - 1 for n in duplicates.values())} duplicated, "
          f"{sum(1 for pk in outbox.values() if not counts.get(pk))} lost")
    assert sum(n - 1 for n in duplicates.values()) <= duplicates_allowed, f"duplicated emails: {duplicates}"
    return counts
