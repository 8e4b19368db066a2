"""Run a Procfile's processes and keep them running: `make run` and `make run-full` (issue 19).

honcho stops every process as soon as one exits, so a worker crash took the web server down with it.
Here a process that exits is started again after a delay that doubles while it keeps dying quickly
(1 s, 2 s, 4 s ... at most 60 s; back to 1 s once it has run for 30 s), the others keep running, and
the terminal says what happened. Each output line is prefixed with the time and the process name, as
honcho does. Ctrl-C or SIGTERM stops every process (SIGTERM to its process group, SIGKILL after a grace
period) and then the supervisor itself.

    python deploy/supervise.py [-f Procfile.embedded] [--events var/supervise-events.jsonl]

Only the standard library: it must not depend on the application it supervises. Why not a library:
honcho and foreman-style runners do not restart; supervisord restarts, but gives up after
`startretries` quick failures (FATAL) and writes process output to its own log files without per-line
prefixes; circus brings ZeroMQ. This is ~200 lines we test (tests/ops/test_supervise.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Backoff:
    """Delay before restart number `streak + 1` of a process that keeps exiting within `stable_after` seconds."""

    initial: float = 1.0
    maximum: float = 60.0
    stable_after: float = 30.0

    def delay(self, streak: int) -> float:
        return min(self.initial * (2 ** streak), self.maximum)


def read_procfile(path: Path) -> dict[str, str]:
    """`name: command` lines; blank lines and `#` comments skipped."""
    processes: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, separator, command = line.partition(":")
        if not separator or not name.strip() or not command.strip():
            raise SystemExit(f"{path}:{number}: expected `name: command`, got {raw!r}")
        processes[name.strip()] = command.strip()
    return processes


@dataclass
class Supervised:
    name: str
    command: str
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    streak: int = 0
    restarts: int = 0


@dataclass
class Supervisor:
    processes: list[Supervised]
    backoff: Backoff = field(default_factory=Backoff)
    grace: float = 10.0
    events: Path | None = None
    output: IO[str] = field(default_factory=lambda: sys.stdout)
    cwd: Path = field(default_factory=Path.cwd)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _print_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def width(self) -> int:
        return max([len(p.name) for p in self.processes] + [len("supervise")])

    def say(self, name: str, line: str) -> None:
        with self._print_lock:
            print(f"{datetime.now():%H:%M:%S} {name.ljust(self.width)} | {line}", file=self.output, flush=True)

    def record(self, process: Supervised, event: str, **details: object) -> None:
        if self.events is None:
            return
        row = {"time": time.time(), "process": process.name, "event": event, **details}
        with self._print_lock, self.events.open("a") as file:
            file.write(json.dumps(row) + "\n")

    def start(self, process: Supervised) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process.popen = subprocess.Popen(  # noqa: S603 — the Procfile's own commands, through the shell as honcho does
            ["/bin/sh", "-c", _shell_line(process.command)], cwd=self.cwd, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        process.started_at, process.restart_at = time.monotonic(), None
        self.record(process, "started", pid=process.popen.pid, restarts=process.restarts)
        self.say("supervise", f"{process.name} started (pid {process.popen.pid})"
                 + (f", restart {process.restarts}" if process.restarts else ""))
        threading.Thread(target=self._relay, args=(process.name, process.popen), daemon=True).start()

    def _relay(self, name: str, popen: subprocess.Popen[bytes]) -> None:
        assert popen.stdout is not None
        for raw in iter(popen.stdout.readline, b""):
            self.say(name, raw.decode("utf-8", "replace").rstrip("\r\n"))
        popen.stdout.close()

    def check(self, process: Supervised) -> None:
        """Notice an exit and schedule the restart; start it when its time has come."""
        now = time.monotonic()
        if process.popen is not None and process.popen.poll() is not None:
            popen, process.popen = process.popen, None
            ran = now - process.started_at
            _kill_group(popen.pid, signal.SIGKILL)  # what it left behind (a prefork pool) goes with it
            process.streak = 0 if ran >= self.backoff.stable_after else process.streak + 1
            delay = self.backoff.delay(max(process.streak - 1, 0))
            process.restart_at, process.restarts = now + delay, process.restarts + 1
            self.record(process, "exited", pid=popen.pid, returncode=popen.returncode, ran_seconds=round(ran, 3),
                        planned=False, restart_in=delay)
            self.say("supervise", f"{process.name} (pid {popen.pid}) {_describe(popen.returncode)} after {ran:.1f}s; "
                     f"restarting in {delay:.0f}s (restart {process.restarts})")
        if process.popen is None and process.restart_at is not None and now >= process.restart_at:
            self.start(process)

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        for process in self.processes:
            self.start(process)
        while not self._stopping.is_set():
            for process in self.processes:
                self.check(process)
            self._stopping.wait(0.2)
        self.stop_all()
        return 0

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self._stopping.is_set():  # a second Ctrl-C: no more grace
            for process in self.processes:
                if process.popen is not None:
                    _kill_group(process.popen.pid, signal.SIGKILL)
            return
        self.say("supervise", f"{signal.Signals(signum).name} received: stopping every process")
        self._stopping.set()

    def stop_all(self) -> None:
        running = [p for p in self.processes if p.popen is not None and p.popen.poll() is None]
        for process in running:
            assert process.popen is not None
            _kill_group(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for process in self.processes:
            popen = process.popen
            if popen is None:
                continue
            try:
                popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.say("supervise", f"{process.name} (pid {popen.pid}) still running after {self.grace:.0f}s: SIGKILL")
                _kill_group(popen.pid, signal.SIGKILL)
                popen.wait(timeout=10)
            _kill_group(popen.pid, signal.SIGKILL)
            self.record(process, "exited", pid=popen.pid, returncode=popen.returncode, planned=True,
                        ran_seconds=round(time.monotonic() - process.started_at, 3))
            self.say("supervise", f"{process.name} (pid {popen.pid}) {_describe(popen.returncode)}")


def _shell_line(command: str) -> str:
    """A simple command replaces the shell (`exec`), so the pid we report and signal is the program's own."""
    return command if re.search(r"[;&|\n()]", command) else f"exec {command}"


def _kill_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)  # each process leads its own session and group (start_new_session)


def _describe(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a Procfile's processes; restart any that exits.")
    parser.add_argument("-f", "--procfile", type=Path, default=Path("Procfile"))
    parser.add_argument("--events", type=Path, help="append one JSON line per start and exit (the soak check reads it)")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds between SIGTERM and SIGKILL on stop")
    parser.add_argument("--backoff-initial", type=float, default=1.0)
    parser.add_argument("--backoff-max", type=float, default=60.0)
    parser.add_argument("--stable-after", type=float, default=30.0, help="a process that ran this long restarts at once")
    arguments = parser.parse_args(argv)
    commands = read_procfile(arguments.procfile)
    supervisor = Supervisor(
        processes=[Supervised(name, command) for name, command in commands.items()],
        backoff=Backoff(arguments.backoff_initial, arguments.backoff_max, arguments.stable_after),
        grace=arguments.grace, events=arguments.events,
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
