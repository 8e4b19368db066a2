"""Liveness (`/healthz`) and readiness (`/readyz`) probes.

Kept here rather than django-health-check: that library's Celery check publishes a task and waits for
its result (we run without a result backend, and a round trip through a worker is not something to do
every second), and its JSON has no per-check latency. Ours is four small checks, each timed:

- database: `SELECT 1` on the default connection;
- migrations: no unapplied migration (remembered once true: code and schema only change together
  on a restart, and the migration graph costs ~100 ms to build);
- cache: a set/get round trip on the default cache (Redis in production);
- broker: a connection to CELERY_BROKER_URL (opened and closed, short timeout).

Every check runs even when an earlier one fails, so the answer names every unreachable dependency.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from partnercenter.celery import app

BROKER_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    latency_ms: float
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        answer: dict[str, object] = {"ok": self.ok, "latency_ms": round(self.latency_ms, 2)}
        if self.error:
            answer["error"] = self.error
        return answer


def _timed(check: Callable[[], None]) -> CheckResult:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 — any failure means not ready; the class names it
        return CheckResult(ok=False, latency_ms=(time.perf_counter() - started) * 1000, error=_describe(exc))
    return CheckResult(ok=True, latency_ms=(time.perf_counter() - started) * 1000)


def _describe(exc: BaseException) -> str:
    """The exception class and its first line: enough to act on, short enough for a probe log."""
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first_line}"[:300] if first_line else type(exc).__name__


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


_migrations_applied = False


class MigrationsPending(Exception):
    pass


def check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan[:5])
        raise MigrationsPending(f"{len(plan)} unapplied: {names}")
    _migrations_applied = True


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)


def check_broker() -> None:

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks() -> dict[str, CheckResult]:
    results: dict[str, CheckResult] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and not results["database"].ok:
            results[name] = CheckResult(ok=False, latency_ms=0.0, error="skipped: database unreachable")
            continue
        results[name] = _timed(check)
    return results


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers. No dependency is touched: a database outage must not restart web processes."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency answers, else 503 naming the failing ones (`failing`)."""
    started = time.perf_counter()
    results = run_checks()
    failing = [name for name, result in results.items() if not result.ok]
    body = {
        "status": "unavailable" if failing else "ok",
        "failing": failing,
        "checks": {name: result.as_dict() for name, result in results.items()},
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return JsonResponse(body, status=503 if failing else 200)
