"""The supervisor (deploy/supervise.py) restarts a dead process while the others keep running (issue 19)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

sys.path.insert(0, str(settings.BASE_DIR / "deploy"))

from supervise import Backoff, read_procfile


def _free_port() -> int:
    """A port nobody listens on now (two suites may share the machine: no fixed port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_restart_delay_doubles_while_a_process_keeps_dying_and_stops_at_the_maximum():
    backoff = Backoff(initial=1, maximum=60)
    assert [backoff.delay(streak) for streak in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_procfile_is_read_as_names_and_commands_and_a_malformed_line_is_refused(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text("# comment\n\nweb: python -m http.server $PORT\nworker: celery -A x worker\n")
    assert read_procfile(procfile) == {"web": "python -m http.server $PORT", "worker": "celery -A x worker"}
    procfile.write_text("web python\n")
    with pytest.raises(SystemExit, match="expected `name: command`"):
        read_procfile(procfile)


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — loopback
            return response.status == 200
    except OSError:
        return False


def test_a_worker_killed_with_sigkill_is_restarted_while_the_web_server_keeps_answering(tmp_path):
    """The embedded Procfile's web server and Celery worker on a temporary var folder; kill -9 the worker."""
    web_port = _free_port()
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"web: {sys.executable} manage.py runserver 127.0.0.1:{web_port} --noreload\n"
        f"worker: {sys.executable} -m celery -A partnercenter worker --pool=solo --loglevel=INFO --without-gossip --without-mingle\n"
    )
    events, output = tmp_path / "events.jsonl", tmp_path / "output.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnercenter.settings.local",
           "PARTNERCENTER_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "CELERY_BROKER_URL": "filesystem://"}
    env.pop("REDIS_URL", None)
    command = [sys.executable, str(settings.BASE_DIR / "deploy" / "supervise.py"), "-f", str(procfile),
               "--events", str(events), "--grace", "15"]
    with output.open("w") as log:
        supervisor = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{web_port}/healthz"
    answers: list[bool] = []
    polling = threading.Event()

    def poll() -> None:
        while not polling.is_set():
            answers.append(_answers(url))
            polling.wait(0.1)

    try:
        _wait(lambda: _answers(url), 60, "the web server")
        _wait(lambda: output.read_text().count("ready.") >= 1, 60, "the worker")
        threading.Thread(target=poll, daemon=True).start()
        (first,) = [e["pid"] for e in _events(events) if e["process"] == "worker" and e["event"] == "started"]
        os.kill(first, signal.SIGKILL)
        _wait(lambda: any(e["event"] == "exited" for e in _events(events)), 10, "the exit to be noticed")
        _wait(lambda: output.read_text().count("ready.") >= 2, 60, "the restarted worker")
        polling.set()
        time.sleep(0.2)
    finally:
        polling.set()
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=60)

    text = output.read_text()
    worker_events = [e for e in _events(events) if e["process"] == "worker"]
    assert [(e["event"], e.get("planned")) for e in worker_events] == [
        ("started", None), ("exited", False), ("started", None), ("exited", True)]
    assert worker_events[1]["returncode"] == -signal.SIGKILL
    assert worker_events[2]["pid"] != first
    assert f"worker (pid {first}) killed by SIGKILL" in text and "restarting in 1s (restart 1)" in text
    assert f"worker started (pid {worker_events[2]['pid']}), restart 1" in text
    web_events = [e["event"] for e in _events(events) if e["process"] == "web"]
    assert web_events == ["started", "exited"], "the web server was never restarted: it kept running"
    assert len(answers) > 10 and all(answers), f"{answers.count(False)} of {len(answers)} requests failed"
    assert supervisor.returncode == 0
    assert "web       | " in text or "web " in text


def test_a_process_that_keeps_dying_is_restarted_later_each_time_while_its_neighbour_runs_on(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text("crashing: echo starting; exit 3\nsteady: sleep 60\n")
    events, output = tmp_path / "events.jsonl", tmp_path / "output.log"
    with output.open("w") as log:
        supervisor = subprocess.Popen([sys.executable, str(settings.BASE_DIR / "deploy" / "supervise.py"),
                                       "-f", str(procfile), "--events", str(events), "--backoff-initial", "0.5"],
                                      cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: sum(e["event"] == "exited" for e in _events(events)) >= 4, 30, "four exits")
    finally:
        supervisor.send_signal(signal.SIGINT)  # Ctrl-C
        supervisor.wait(timeout=30)
    crashing = [e for e in _events(events) if e["process"] == "crashing" and e["event"] == "exited" and not e["planned"]]
    assert [e["restart_in"] for e in crashing[:4]] == [0.5, 1, 2, 4]
    assert {e["returncode"] for e in crashing} == {3}
    steady = [(e["event"], e.get("planned")) for e in _events(events) if e["process"] == "steady"]
    assert steady == [("started", None), ("exited", True)]
    text = output.read_text()
    assert "crashing  | starting" in text and "SIGINT received: stopping every process" in text
    assert supervisor.returncode == 0
