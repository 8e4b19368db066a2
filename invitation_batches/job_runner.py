"""The walk both batch jobs share (bulk invitations, bulk delegated admin): the batch's rows in line
order, a chunk at a time, each handed to the job's own row step, with the progress counters rewritten
every PROGRESS_INTERVAL_SECONDS of `clock` (tests pass a clock they control)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

PROGRESS_INTERVAL_SECONDS = 1.0


class _Row(Protocol):
    line: int


RowT = TypeVar("RowT", bound=_Row)


def rows_walk(
    *,
    next_chunk: Callable[[int], Sequence[RowT]],
    actor_for: Callable[[], Any],
    process: Callable[[RowT, Any], None],
    count: Callable[[], None],
    clock: Callable[[], float],
    process_chunk: Callable[[Sequence[RowT], Any], None] | None = None,
) -> int:
    """Process every row `next_chunk(after_line)` yields until it yields none; returns how many.

    The actor is read again for each chunk: a removed member or a revoked key stops the rest.
    `process_chunk` (optional): a job that handles a whole chunk at once (set-based checks and
    writes, one transaction per chunk) passes it; `process` is then not called by the walk, and the
    progress counters are rewritten after a chunk rather than after a row.
    """
    handled, last_line = 0, 0
    counted_at = clock()
    while chunk := next_chunk(last_line):
        actor = actor_for()
        if process_chunk is not None:
            process_chunk(chunk, actor)
            handled += len(chunk)
            if clock() - counted_at >= PROGRESS_INTERVAL_SECONDS:
                count()
                counted_at = clock()
        for row in chunk if process_chunk is None else ():
            process(row, actor)
            handled += 1
            if clock() - counted_at >= PROGRESS_INTERVAL_SECONDS:
                count()
                counted_at = clock()
        last_line = chunk[-1].line
    return handled
