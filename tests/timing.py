"""Elapsed time without the time a thread spent waiting for a CPU, for tests about timeouts.

On a busy machine a thread that is ready to run waits in the scheduler's run queue; Linux counts that
wait per thread (`/proc/thread-self/schedstat`, second field, in nanoseconds). Wall time minus that
wait is what the code itself took: its own CPU time plus the time it was blocked on sockets, locks
and timers, which is what a bound like "a publish to a paused broker gives up within 2 s" is about.
Other jobs on the machine then cannot make such a test fail. Where the kernel does not keep the
count, the wait reads as 0 and the measure falls back to wall time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def run_queue_seconds() -> float:
    """How long the calling thread has waited for a CPU so far (0.0 where the kernel does not say)."""
    try:
        return int(_SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass
class Stopwatch:
    wall: float = 0.0
    waiting_for_cpu: float = 0.0

    @property
    def seconds(self) -> float:
        """Wall time minus the wait for a CPU."""
        return self.wall - self.waiting_for_cpu


@contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    """`with stopwatch() as watch: ...` then `watch.seconds` (and `watch.wall`)."""
    watch = Stopwatch()
    started, queued = time.monotonic(), run_queue_seconds()
    try:
        yield watch
    finally:
        watch.wall = time.monotonic() - started
        watch.waiting_for_cpu = run_queue_seconds() - queued
