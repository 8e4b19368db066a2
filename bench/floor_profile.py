"""In-process cost of the signed-in floors and pages: Python CPU and statements per request.

    BENCH_DB=pc_bench_console uv run python -m bench.floor_profile [--reps 30] [--only F2h,F3,P2] [--profile F2h]

Scenarios: R2, R3, R4, R5 (rungs), F2h, F3, F4 (the signed-in form POST with its CSRF cookie and field),
F5 (the API key POST) (floors), P2 (the Customers page), P3 (the acceptance page GET),
P4 (the accept POST: each request accepts the next seeded acceptor's invitation, as `bench.run` does, and
the var directory's fixtures.json counts them in `acceptors_used`, so later runs take fresh ones; re-seed
with `bench.run` without --reuse-db when they run out).

Runs against the database `make bench` seeded (`bench.run` with the same BENCH_DB; its var/bench
fixtures and secrets), with the bench settings (production + bench URLs: DEBUG=False, the cached
template loader, the db session store) and Django's WSGI handler called directly (no server, no
socket), so what is measured is the request's own Python work plus its round trips. Redis (cache) is
REDIS_URL (default the local server's db 0). Reports per scenario: the statements of one request and the
minimum and median of `time.process_time` over `--reps` requests (after warm-up requests). `--profile ID`
prints a cProfile of `--reps` requests of that scenario instead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent


def _environment(var: Path, redis_url: str) -> dict[str, Any]:
    fixtures = json.loads((var / "fixtures.json").read_text())
    os.environ.update(json.loads((var / "secrets.json").read_text()))
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{os.environ.get('BENCH_DB', 'pc_bench')}",
        "DJANGO_CONN_MAX_AGE": "60",
        "REDIS_URL": redis_url,
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "API_RATE_LIMIT": "",
        "LOG_LEVEL": "WARNING",
        "BENCH_TENANT_ID": fixtures["lookup_tenant_id"],
        "BENCH_PARTNER_PK": str(fixtures["partner_pk"]),
    })
    return fixtures


class _Acceptors:
    """The seeded acceptors' POSTs (P4), one each, counted in fixtures.json's `acceptors_used`."""

    def __init__(self, var: Path, fixtures: dict[str, Any]) -> None:
        self.fixtures_file = var / "fixtures.json"
        self.lines = Path(fixtures["acceptors_file"]).read_text().split("\n")
        self.used = int(fixtures.get("acceptors_used", 0))

    def next(self) -> tuple[str, bytes]:
        if self.used >= len(self.lines) or not self.lines[self.used].strip():
            raise RuntimeError("no seeded acceptor left: re-seed with bench.run (without --reuse-db)")
        session, csrf, tenant, email = self.lines[self.used].split()
        self.used += 1
        body = urlencode({"csrfmiddlewaretoken": csrf, "tenant": tenant, "signer_name": "Bench Acceptor",
                          "signer_email": email, "agreement_accepted": "on"})
        return f"sessionid={session}; csrftoken={csrf}", body.encode()

    def save(self) -> None:
        fixtures = json.loads(self.fixtures_file.read_text())
        fixtures["acceptors_used"] = max(self.used, int(fixtures.get("acceptors_used", 0)))
        self.fixtures_file.write_text(json.dumps(fixtures, indent=2))


def _scenarios(fixtures: dict[str, Any], acceptors: _Acceptors) -> dict[str, Callable[[], tuple[str, str, str, bytes]]]:
    """Each scenario: a function giving the next request's (method, path, cookie, form body)."""
    partner_cookie = f"sessionid={fixtures['partner_session']}"
    review_cookie = f"sessionid={fixtures['review_session']}"
    csrf = "b" * 32  # a CSRF secret of our own: the cookie and the form field carry it (as bench.run's F4)

    def get(path: str, cookie: str = "") -> Callable[[], tuple[str, str, str, bytes]]:
        return lambda: ("GET", path, cookie, b"")

    def accept() -> tuple[str, str, str, bytes]:
        cookie, body = acceptors.next()
        return "POST", "/r/", cookie, body

    return {
        "R2": get("/bench/r2"),
        "R3": get("/bench/r3"),
        "R4": lambda: ("POST", "/bench/r4", "", b""),
        "R5": get("/bench/r5"),
        "F2h": get(f"/bench/f2h/{fixtures['partner_id']}/", partner_cookie),
        "F3": get("/bench/f3", review_cookie),
        "F4": lambda: ("POST", "/bench/f4", f"{review_cookie}; csrftoken={csrf}", f"csrfmiddlewaretoken={csrf}".encode()),
        "F5": lambda: ("POST", "/bench/f5", f"bearer={fixtures['api_key']}", b'{"note": "floor"}'),
        "P2": get(f"/p/{fixtures['partner_id']}/customers/", partner_cookie),
        "P3": get("/r/", review_cookie),
        "P4": accept,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", default="F2h,F3,P2")
    parser.add_argument("--profile", default="", help="a scenario id: print its cProfile instead")
    parser.add_argument("--var", default="", help="the bench's var directory (default var/bench/<BENCH_DB>)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--json", action="store_true", help="one JSON line instead of the table")
    args = parser.parse_args(argv)
    db_name = os.environ.get("BENCH_DB", "pc_bench")
    var = Path(args.var) if args.var else BASE_DIR / "var" / "bench" / ("" if db_name == "pc_bench" else db_name)
    fixtures = _environment(var, args.redis_url)

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handler = WSGIHandler()
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses.append(status)

    def request(scenario: Callable[[], tuple[str, str, str, bytes]]) -> int:
        method, path, cookie, form = scenario()
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie, "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(form),
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        if method == "POST":
            environ.update(CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(form)))
        if cookie.startswith("bearer="):  # F5: an API request (the key in the Authorization header, a JSON body)
            environ.update(HTTP_COOKIE="", HTTP_AUTHORIZATION=f"Bearer {cookie[7:]}", CONTENT_TYPE="application/json")
        body = handler(environ, start_response)
        size = sum(len(chunk) for chunk in body)
        if hasattr(body, "close"):
            body.close()
        status = statuses.pop()
        if not status.startswith(("200", "201", "302")):
            raise RuntimeError(f"{method} {path} answered {status}")
        return size

    acceptors = _Acceptors(var, fixtures)
    scenarios = _scenarios(fixtures, acceptors)
    if args.profile:
        scenario = scenarios[args.profile]
        try:
            for _ in range(args.warmup):
                request(scenario)
            profile = cProfile.Profile(time.process_time) if os.environ.get("PROFILE_CPU") else cProfile.Profile()
            profile.enable()
            for _ in range(args.reps):
                request(scenario)
            profile.disable()
        finally:
            acceptors.save()
        out = io.StringIO()
        if os.environ.get("PROFILE_DUMP"):
            profile.dump_stats(os.environ["PROFILE_DUMP"])
        pstats.Stats(profile, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_LINES", "60")))
        print(out.getvalue())
        return 0
    results: dict[str, Any] = {}
    wanted = [key.strip() for key in args.only.split(",") if key.strip()]
    try:
        for key in wanted:
            for _ in range(args.warmup):
                size = request(scenarios[key])
            with CaptureQueriesContext(connection) as captured:
                request(scenarios[key])
            results[key] = {"statements": len(captured.captured_queries), "bytes": size,
                            "sql": [q["sql"][:160] for q in captured.captured_queries], "cpu_ms": []}
        # Interleaved: one request of each scenario per round, so load from elsewhere hits them alike.
        for _ in range(args.reps):
            for key in wanted:
                started = time.process_time()
                request(scenarios[key])
                results[key]["cpu_ms"].append((time.process_time() - started) * 1000)
    finally:
        acceptors.save()
    for key in wanted:
        cpu = results[key].pop("cpu_ms")
        results[key].update(cpu_min_ms=round(min(cpu), 3), cpu_median_ms=round(statistics.median(cpu), 3))
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{'id':5} {'statements':>10} {'bytes':>8} {'CPU min ms':>11} {'CPU median ms':>14}")
    for key in wanted:
        r = results[key]
        print(f"{key:5} {r['statements']:>10} {r['bytes']:>8} {r['cpu_min_ms']:>11} {r['cpu_median_ms']:>14}")
        for sql in r["sql"]:
            print(f"      {sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
