"""Big tenants: does an indirect provider's console keep its speed at 100,000 customers?

    make bench-tenants          # = DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_scale_bench_tenants \
                                #   uv run python bench/tenants_scale.py

Drops and recreates the database named in DATABASE_URL (its name must contain "bench"), migrates it,
then seeds (bench/tenant_world.py, INSERT ... SELECT generate_series) an indirect provider with
1,000 customers across 10 indirect resellers, times its pages, adds a second provider with 100,000
customers across 1,000 resellers, and times the same pages for it. Pages (the list in
tests/bench/test_big_tenant_queries.py, which holds their query counts equal at two sizes): the
Customers page (default, sorted by name descending, indirect-reseller filter, delegated admin
filter, a search; the page includes the resellers' customers section), the onboarding funnel, the
activity log and the console search.

Each page: warm-up, then `--rounds` rounds in which every page runs once (interleaved, so load
from elsewhere hits every page alike); min and median reported. Prints the query count of each
page at both sizes, the large/small ratio of the medians and of the minimums against `--max-ratio`
(default 1.2), and the load average before and after (the machine is shared: a noisy figure is a
finding, not a failure). Exit 1 when a query count differs; the time ratio is reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.test")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def measure(world: object, rounds: int) -> dict[str, tuple[float, float, int, float]]:
    """page -> (min s, median s, queries, Python CPU min s)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from tests.bench.test_big_tenant_queries import pages

    client = Client()
    client.force_login(User.objects.get(pk=world.admin_pk))  # type: ignore[attr-defined]
    urls = pages(world)  # type: ignore[arg-type]
    queries: dict[str, int] = {}
    for name, url in urls.items():  # warm-up, and the query count of the second request
        for _ in range(2):
            assert client.get(url).status_code == 200, name
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[name] = len(captured)
    times: dict[str, list[float]] = {name: [] for name in urls}
    cpu: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            assert response.status_code == 200, name
    results = {name: (min(t), statistics.median(t), queries[name], min(cpu[name])) for name, t in times.items()}
    for name, (low, median, count, _cpu) in results.items():
        print(f"  {name:44} min {low * 1000:7.1f} ms  median {median * 1000:7.1f} ms  {count:3} queries"
              f"  (Python CPU min {min(cpu[name]) * 1000:6.1f} ms)", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000, help="customers of the small provider (default 1,000)")
    parser.add_argument("--large", type=int, default=100_000, help="customers of the large provider (default 100,000)")
    parser.add_argument("--per-reseller", type=int, default=100, help="customers per indirect reseller (default 100)")
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (every page once per round)")
    parser.add_argument("--max-ratio", type=float, default=1.2)
    parser.add_argument("--json", default="", help="also write the figures to this file (bench/run.py's S2 reads it)")
    args = parser.parse_args()
    if args.small >= args.large:
        sys.exit("--small must be below --large")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/pc_scale_bench_tenants")

    from bench.audit_scale import recreate_database

    recreate_database(url)
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # one request log line per request would drown the figures
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.tenant_world import seed_indirect_provider

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('shared_buffers'), current_setting('work_mem')")
        version, shared_buffers, work_mem = cursor.fetchone()
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}")
    print(f"database: {version.split(',')[0]}, shared_buffers={shared_buffers}, work_mem={work_mem}")
    print(f"load average at start: {load()}")

    results, seeded = {}, {}
    load_at_start = load()
    for size, prefix in ((args.small, "81"), (args.large, "82")):
        resellers = max(size // args.per_reseller, 1)
        start = time.perf_counter()
        with transaction.atomic():
            world = seed_indirect_provider(customers=size, resellers=resellers, prefix=prefix)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # autovacuum is off on this machine; production's keeps statistics fresh
        seeded[size] = round(time.perf_counter() - start, 1)
        print(f"\nprovider with {size:,} customers across {resellers:,} resellers (seeded in {seeded[size]:.0f} s;"
              f" load {load()}):", flush=True)
        results[size] = measure(world, args.rounds)

    small, large = results[args.small], results[args.large]
    print(f"\n{'page':44} {'queries':>9} {'small med':>10} {'large med':>10} {'ratio':>6} {'min ratio':>9}")
    worst, worst_min, same = 0.0, 0.0, True
    pages = {}
    for name, (s_min, s_med, s_q, s_cpu) in small.items():
        l_min, l_med, l_q, l_cpu = large[name]
        ratio = l_med / s_med
        worst, worst_min = max(worst, ratio), max(worst_min, l_min / s_min)
        same &= s_q == l_q
        print(f"{name:44} {s_q:>4}/{l_q:<4} {s_med * 1000:8.1f}ms {l_med * 1000:8.1f}ms {ratio:6.2f} {l_min / s_min:9.2f}")
        pages[name] = {"queries": [s_q, l_q], "median_ms": [round(s_med * 1000, 1), round(l_med * 1000, 1)],
                       "min_ms": [round(s_min * 1000, 1), round(l_min * 1000, 1)], "cpu_min_ms": [round(s_cpu * 1000, 1), round(l_cpu * 1000, 1)],
                       "median_ratio": round(ratio, 2), "min_ratio": round(l_min / s_min, 2)}
    print(f"\nload average at the end: {load()}")
    print(f"query counts {'equal' if same else 'DIFFER'}; worst median ratio {worst:.2f}, worst min ratio {worst_min:.2f} "
          f"({'within' if worst <= args.max_ratio else 'above'} {args.max_ratio}×)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "small": args.small, "large": args.large, "rounds": args.rounds, "seed_s": {str(k): v for k, v in seeded.items()},
            "queries_equal": same, "worst_median_ratio": round(worst, 2), "worst_min_ratio": round(worst_min, 2),
            "target_ratio": args.max_ratio, "met": same and worst <= args.max_ratio, "pages": pages,
            "loadavg_at_start": load_at_start, "loadavg_at_end": load(),
        }, indent=2))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
