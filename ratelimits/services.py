"""The one limiter: fixed-window counters incremented atomically in the database.

`limit_consume` runs one statement,

    INSERT INTO ratelimits_limitcounter (bucket, window_start, hits, expires_at) VALUES (…, n, …)
    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = ratelimits_limitcounter.hits + excluded.hits
    RETURNING hits

and admits the use when the returned count is within the limit. The row lock taken by the upsert
orders concurrent callers, so each sees a distinct count and exactly `limit` uses are admitted
however many run at once (PostgreSQL; SQLite serialises writers anyway). The same statement works
on both databases, so the embedded default (`make run`, SQLite) and production (PostgreSQL) count
the same way, and nothing depends on a cache that is per-process (locmem) or whose
`incr` is a read-then-write.

Two ways to call it:
- inside a business transaction (`durable=True`, the default): the count commits or rolls back
  with the action, so a refused or failed action leaves no trace, and the counter row stays locked
  until commit (serialising, say, emails to one address across partners);
- per request (`durable=False`, API rate limits): the statement is its own transaction which, on
  PostgreSQL, commits without waiting for the WAL flush (`synchronous_commit` off for it alone): a
  crash may forget the last few hits of a window, nothing more. The same statement can read other
  counters (`blocked_by`), so an API request pays one statement for its key's limit and the
  invalid-key limits of its address and prefix together.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from ratelimits.models import LimitCounter
from ratelimits.rates import Rate

TABLE = LimitCounter._meta.db_table


@dataclass(frozen=True)
class LimitDecision:
    """What a use of a limit was told: admitted or not, the count, and when the window resets."""

    allowed: bool
    hits: int
    limit: int
    retry_after: int  # seconds until the window resets (0 for a count that never resets)
    refused_by: str = ""  # the bucket that refused: this one, or one of `blocked_by` (limit_consume)


def _window(rate: Rate, now: float) -> tuple[int, datetime | None, int]:
    """(window start, expiry of its row, seconds left in it) for `rate` at epoch time `now`."""
    if rate.window_seconds is None:
        return 0, None, 0
    start = int(now // rate.window_seconds) * rate.window_seconds
    end = start + rate.window_seconds
    return start, datetime.fromtimestamp(end, tz=UTC), max(1, math.ceil(end - now))


def _upsert_sql(*, rows: int, quick: bool, blocked_by: int) -> str:
    """The one statement, for `rows` counters at once.

    `quick` (PostgreSQL, per request): the statement's own transaction commits without waiting
    for the WAL flush (set_config(..., is_local) lasts until that commit). `blocked_by`: how many
    other counters the statement also reads (RETURNING the first one at its limit).
    """
    if quick:
        values = ", ".join(["(%s, %s, %s, CAST(%s AS timestamptz))"] * rows)
        source = f"SELECT v.* FROM (VALUES {values}) AS v CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS q"  # noqa: S608
    else:
        source = "VALUES " + ", ".join(["(%s, %s, %s, %s)"] * rows)
    full = " OR ".join(["(b.bucket = %s AND b.window_start = %s AND b.hits >= %s)"] * blocked_by)
    blocker = f"(SELECT b.bucket FROM {TABLE} AS b WHERE {full} LIMIT 1)" if blocked_by else "NULL"  # noqa: S608 — our table, placeholders
    return (
        f"INSERT INTO {TABLE} (bucket, window_start, hits, expires_at) {source} "
        f"ON CONFLICT (bucket, window_start) DO UPDATE SET hits = {TABLE}.hits + excluded.hits "
        f"RETURNING bucket, hits, {blocker}"
    )


def limits_consume(*, uses: Sequence[tuple[str, Rate]], cost: int = 1, durable: bool = True, now: float | None = None,
                   blocked_by: Sequence[tuple[str, Rate]] = ()) -> list[LimitDecision]:
    """Count `cost` uses of every bucket in `uses` (distinct buckets) in one statement; a decision each, in order.

    Refused uses are counted too (per request, an attempt is an attempt; inside a transaction the
    caller raises and the counts roll back). Never reads then writes: one atomic upsert, which
    also reads the counters `blocked_by` (every use refused when one of them is at its limit).
    Rows are locked in the order given: callers name them in one fixed order.
    """
    moment = time.time() if now is None else now
    windows = [(bucket, rate, *_window(rate, moment)) for bucket, rate in uses]
    others = [(other, other_rate, *_window(other_rate, moment)) for other, other_rate in blocked_by]
    params: list[Any] = []
    for bucket, _rate, start, expires_at, _left in windows:
        params += [bucket, start, cost, expires_at]
    for other, other_rate, other_start, _expires, _left in others:
        params += [other, other_start, other_rate.limit]
    quick = not durable and not connection.in_atomic_block and connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(rows=len(windows), quick=quick, blocked_by=len(others)), params)
        returned = {bucket: (int(hits), full) for bucket, hits, full in cursor.fetchall()}
    decisions = []
    for bucket, rate, _start, _expires, left in windows:
        hits, full = returned[bucket]
        blocker = next((other for other in others if other[0] == full), None)
        if blocker is not None:
            decisions.append(LimitDecision(allowed=False, hits=hits, limit=blocker[1].limit, retry_after=blocker[4],
                                           refused_by=blocker[0]))
            continue
        allowed = hits <= rate.limit
        decisions.append(LimitDecision(allowed=allowed, hits=hits, limit=rate.limit, retry_after=0 if allowed else left,
                                       refused_by="" if allowed else bucket))
    return decisions


def limit_consume(*, bucket: str, rate: Rate, cost: int = 1, durable: bool = True, now: float | None = None,
                  blocked_by: Sequence[tuple[str, Rate]] = ()) -> LimitDecision:
    """Count `cost` uses of `bucket` and say whether they fit under `rate` (see limits_consume)."""
    return limits_consume(uses=[(bucket, rate)], cost=cost, durable=durable, now=now, blocked_by=blocked_by)[0]


def limit_peek(*, checks: list[tuple[str, Rate]], now: float | None = None) -> LimitDecision | None:
    """The first of `checks` whose count is already at its limit (its next use would be refused), or None.

    One read, for checks that must refuse before any work is done (invalid API keys: a client that
    guessed too often is refused before its key is even looked up).
    """
    moment = time.time() if now is None else now
    windows = [(bucket, rate, *_window(rate, moment)) for bucket, rate in checks]
    if not windows:
        return None
    # A plain statement like the upsert's (every /api/v1 request runs it: no ORM compilation).
    match = " OR ".join(["(bucket = %s AND window_start = %s)"] * len(windows))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bucket, window_start, hits FROM {TABLE} WHERE {match}",  # noqa: S608 — our table, placeholders
                       [value for bucket, _rate, start, _expires, _left in windows for value in (bucket, start)])
        counts = {(bucket, int(start)): int(hits) for bucket, start, hits in cursor.fetchall()}
    for bucket, rate, start, _expires, left in windows:
        hits = counts.get((bucket, start), 0)
        if hits >= rate.limit:
            return LimitDecision(allowed=False, hits=hits, limit=rate.limit, retry_after=left)
    return None


def limit_hits(*, bucket: str, rate: Rate, now: float | None = None) -> int:
    """How many uses `bucket` has counted in the current window (a read, to say what is left)."""
    start, _expires, _left = _window(rate, time.time() if now is None else now)
    return LimitCounter.objects.filter(bucket=bucket, window_start=start).values_list("hits", flat=True).first() or 0


def limit_counters_purge(*, batch: int = 5000) -> int:
    """Delete counters whose window has ended (beat, hourly); returns how many went."""
    now = timezone.now()
    deleted = 0
    while True:
        ids = list(LimitCounter.objects.filter(expires_at__lt=now).order_by().values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += LimitCounter.objects.filter(pk__in=ids).delete()[0]
