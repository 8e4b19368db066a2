"""In-process cost of the floors and the Customers page: Python CPU and statements per request.

    BENCH_DB=pc_bench_console uv run python -m bench.floor_profile [--reps 30] [--only F2h,F3,P2] [--profile F2h]

Scenarios: R2, R3, R4, R5, F2h, F3, F4 (the signed-in form POST with its CSRF cookie and field), F5 (the
API key POST) and P2. F4 and F5 write (a row, an audit event, an outbox row) and publish each outbox
row to the broker at REDIS_URL, where no worker takes them: use a Redis database of your own.
`PROFILE_CPU=1` profiles CPU time (`time.process_time`) instead of wall time; `PROFILE_SORT` and
`PROFILE_LINES` shape the listing.

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
from pathlib import Path
from typing import Any

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


# A scenario: path, cookie, and for a POST (method, body, extra WSGI headers, expected status).
Scenario = tuple[str, str] | tuple[str, str, tuple[str, bytes, dict[str, str], str]]
CSRF = "b" * 32  # the bench's own CSRF secret: the cookie and the form field carry it (as bench.run's F4)


def _scenarios(fixtures: dict[str, Any]) -> dict[str, Scenario]:
    partner_cookie = f"sessionid={fixtures['partner_session']}"
    review_cookie = f"sessionid={fixtures['review_session']}"
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {fixtures['api_key']}"}
    return {
        "R2": ("/bench/r2", ""),
        "R3": ("/bench/r3", ""),
        "R4": ("/bench/r4", "", ("POST", b"", {}, "201")),
        "R5": ("/bench/r5", ""),
        "F2h": (f"/bench/f2h/{fixtures['partner_id']}/", partner_cookie),
        "F3": ("/bench/f3", review_cookie),
        "F4": ("/bench/f4", f"{review_cookie}; csrftoken={CSRF}",
               ("POST", f"csrfmiddlewaretoken={CSRF}".encode(), {"CONTENT_TYPE": "application/x-www-form-urlencoded"}, "302")),
        "F5": ("/bench/f5", "", ("POST", b'{"note": "floor"}', {**bearer, "CONTENT_TYPE": "application/json"}, "201")),
        "P2": (f"/p/{fixtures['partner_id']}/customers/", partner_cookie),
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

    def request(path: str, cookie: str, post: tuple[str, bytes, dict[str, str], str] | None = None) -> int:
        method, data, extra, expected = post or ("GET", b"", {}, "200")
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie, "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data)),
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
            **extra,
        }
        body = handler(environ, start_response)
        size = sum(len(chunk) for chunk in body)
        if hasattr(body, "close"):
            body.close()
        status = statuses.pop()
        if not status.startswith(expected):
            raise RuntimeError(f"{path} answered {status}")
        return size

    scenarios = _scenarios(fixtures)
    if args.profile:
        scenario = scenarios[args.profile]
        for _ in range(args.warmup):
            request(*scenario)
        profile = cProfile.Profile(time.process_time) if os.environ.get("PROFILE_CPU") else cProfile.Profile()
        profile.enable()
        for _ in range(args.reps):
            request(*scenario)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_LINES", "60")))
        print(out.getvalue())
        return 0
    results: dict[str, Any] = {}
    wanted = [key.strip() for key in args.only.split(",") if key.strip()]
    for key in wanted:
        scenario = scenarios[key]
        for _ in range(args.warmup):
            size = request(*scenario)
        with CaptureQueriesContext(connection) as captured:
            request(*scenario)
        results[key] = {"statements": len(captured.captured_queries), "bytes": size,
                        "sql": [q["sql"][:160] for q in captured.captured_queries], "cpu_ms": []}
    # Interleaved: one request of each scenario per round, so load from elsewhere hits them alike.
    for _ in range(args.reps):
        for key in wanted:
            scenario = scenarios[key]
            started = time.process_time()
            request(*scenario)
            results[key]["cpu_ms"].append((time.process_time() - started) * 1000)
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
