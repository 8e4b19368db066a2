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
- per request (`durable=False`, API rate limits): its own short transaction which, on PostgreSQL,
  skips the WAL flush (`synchronous_commit = off`): a crash may forget the last few hits, never
  admit a request twice as often as configured for longer than one window.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Q
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


def _window(rate: Rate, now: float) -> tuple[int, datetime | None, int]:
    """(window start, expiry of its row, seconds left in it) for `rate` at epoch time `now`."""
    if rate.window_seconds is None:
        return 0, None, 0
    start = int(now // rate.window_seconds) * rate.window_seconds
    end = start + rate.window_seconds
    return start, datetime.fromtimestamp(end, tz=UTC), max(1, math.ceil(end - now))


_UPSERT = (
    f"INSERT INTO {TABLE} (bucket, window_start, hits, expires_at) VALUES (%s, %s, %s, %s) "  # noqa: S608 — our table name
    f"ON CONFLICT (bucket, window_start) DO UPDATE SET hits = {TABLE}.hits + excluded.hits RETURNING hits"
)


def _upsert(params: list[object], *, durable: bool) -> int:
    if durable or connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, params)
            return int(cursor.fetchone()[0])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(_UPSERT, params)
        return int(cursor.fetchone()[0])


def limit_consume(*, bucket: str, rate: Rate, cost: int = 1, durable: bool = True, now: float | None = None) -> LimitDecision:
    """Count `cost` uses of `bucket` and say whether they fit under `rate`.

    Refused uses are counted too (per request, an attempt is an attempt; inside a transaction the
    caller raises and the count rolls back). Never reads then writes: one atomic upsert.
    """
    start, expires_at, left = _window(rate, time.time() if now is None else now)
    hits = _upsert([bucket, start, cost, expires_at], durable=durable)
    allowed = hits <= rate.limit
    return LimitDecision(allowed=allowed, hits=hits, limit=rate.limit, retry_after=0 if allowed else left)


def limit_peek(*, checks: list[tuple[str, Rate]], now: float | None = None) -> LimitDecision | None:
    """The first of `checks` whose count is already at its limit (its next use would be refused), or None.

    One read, for checks that must refuse before any work is done (invalid API keys: a client that
    guessed too often is refused before its key is even looked up).
    """
    moment = time.time() if now is None else now
    windows = [(bucket, rate, *_window(rate, moment)) for bucket, rate in checks]
    if not windows:
        return None
    match = Q()
    for bucket, _rate, start, _expires, _left in windows:
        match |= Q(bucket=bucket, window_start=start)
    counts = {(bucket, start): hits for bucket, start, hits in
              LimitCounter.objects.filter(match).values_list("bucket", "window_start", "hits")}
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
