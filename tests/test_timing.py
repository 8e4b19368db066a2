"""The tests' stopwatch keeps time blocked on sockets and timers and leaves out the wait for a CPU."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.timing import _SCHEDSTAT, stopwatch


def test_time_blocked_is_counted():
    with stopwatch() as watch:
        time.sleep(0.2)  # blocked, like a socket waiting for its timeout
    # Counted, not left out (it would read ~0): the scheduler's clock and the monotonic clock may differ
    # by a few milliseconds around the wake-up on a busy machine (seen: 0.198 s), so no exact bound.
    assert watch.seconds >= 0.15 and watch.wall >= 0.2 and watch.wall >= watch.seconds


@pytest.mark.skipif(not _SCHEDSTAT.exists(), reason="the kernel keeps no per-thread scheduler statistics")
def test_the_wait_for_a_cpu_is_left_out_when_other_jobs_hold_the_cpus():
    # Twice as many busy processes as CPUs: this thread waits to run, and that wait is not counted.
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 1))]
    try:
        time.sleep(0.2)  # let them start
        with stopwatch() as watch:
            total = 0
            for n in range(2_000_000):
                total += n
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert watch.waiting_for_cpu > 0
    assert watch.seconds < watch.wall
