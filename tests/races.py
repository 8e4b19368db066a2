"""Run one action in several threads released at the same moment, for the concurrency tests on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections


def race(action: Callable[[Any], Any], inputs: Sequence[Any], *, refusals: tuple[type[Exception], ...],
         prepare: Callable[[Any], Any] | None = None, timeout: float = 240) -> tuple[list[Any], list[str]]:
    """Call `action` once per input, each in its own thread and database connection, all released
    together by a barrier (after `prepare(input)`, when given, whose result `action` receives instead).

    Returns what the calls returned and the `code` of each refusal (the exceptions in `refusals`);
    any other exception fails the test after every thread has finished.
    """
    barrier = threading.Barrier(len(inputs))
    lock = threading.Lock()
    results: list[Any] = []
    refused: list[str] = []
    crashes: list[BaseException] = []

    def run(item: Any) -> None:
        try:
            prepared = prepare(item) if prepare is not None else item
            barrier.wait(timeout=120)  # every thread opens its own connection first: slow on a busy machine
            result = action(prepared)
            with lock:
                results.append(result)
        except refusals as error:
            with lock:
                refused.append(getattr(error, "code", type(error).__name__))
        except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
            with lock:
                crashes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(item,)) for item in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish"
    if crashes:
        raise crashes[0]
    return results, refused
