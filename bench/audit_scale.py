"""The audit log at 10 million events: do the activity log and its CSV export keep their speed?

    make bench-audit            # = DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_auditbench \
                                #   uv run python bench/audit_scale.py

Drops and recreates the database named in DATABASE_URL (its name must contain "bench"), migrates
it (the audit table is partitioned by month), then:

1. seeds 210 partners, 1,000 customers and 10,000 events: partner "Measured" owns 2,000 of them
   (a partner of ordinary size), partner "Heavy" owns 10% of the rest, other partners the remainder;
   times the pages below (after warm-up, interleaved rounds; min and median);
2. adds events with INSERT ... SELECT generate_series until the table holds 10,000,000 (spread
   over the last two years, 10% Heavy's), VACUUM ANALYZE, and times the same pages again;
3. prints both timings, the ratio, and fails (exit 1) when any ratio exceeds 2.0.

Pages: the Measured partner's activity log (first page, next page, filtered by action and last 90
days), its filtered CSV export (streamed to the end), and the Heavy partner's log (first page,
filtered) — Heavy's own history grows 1,000-fold, so its page only stays flat without COUNT(*).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.test")

ACTIONS = [
    "invitation.created",
    "invitation.sent",
    "invitation.accepted",
    "invitation.declined",
    "invitation.cancelled",
    "relationship.established",
    "grant.requested",
    "grant.approved",
    "grant.terminated",
    "partner_user.invited",
    "partner_user.joined",
    "partner_user.roles_changed",
]
FILTER_ACTION = "invitation.accepted"
MEASURED_EVENTS = 2_000
OTHER_PARTNERS = 208
CUSTOMERS = 1_000
BATCH = 500_000  # events per INSERT (one per connection at a time)
TARGET_RATIO = 1.2  # issue 25: worst page at 10 million events <= 1.2x its time at 10,000


def recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    conn = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password or None, dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def seed() -> dict[str, object]:
    from accounts.models import User
    from customers.models import Customer
    from partners.choices import PartnerRole
    from partners.models import Partner, PartnerMembership

    def partner(name: str, partner_id: str) -> Partner:
        return Partner.objects.create(
            name=name, partner_id=partner_id, country="JP", partner_type="direct_bill", verified_domain=f"{partner_id}.example"
        )

    measured, heavy = partner("Measured", "7100001"), partner("Heavy", "7100002")
    Partner.objects.bulk_create(
        Partner(name=f"Other {n}", partner_id=str(7200000 + n), country="JP", partner_type="direct_bill",
                verified_domain=f"other{n}.example")
        for n in range(OTHER_PARTNERS)
    )
    Customer.objects.bulk_create(
        Customer(company_name=f"Customer {n}", primary_domain=f"customer{n}.example", country="JP")
        for n in range(CUSTOMERS)
    )
    users = {}
    for p in (measured, heavy):
        user = User.objects.create_user(email=f"admin@{p.partner_id}.example")
        PartnerMembership.objects.create(partner=p, user=user, roles=[PartnerRole.ACCOUNT_ADMIN.value])
        users[p.partner_id] = user
    others = list(Partner.objects.filter(name__startswith="Other ").values_list("pk", flat=True))
    customers = list(Customer.objects.values_list("pk", flat=True))
    return {
        "measured": measured, "heavy": heavy, "users": users,
        "other_min": min(others), "customer_min": min(customers),
    }


def insert_events(*, first: int, last: int, partner_sql: str, customer_sql: str, actor_sql: str, params: dict,
                  cursor: Any = None) -> None:
    """Events g = first..last, spread over the last 730 days (deterministic, no random()). `cursor`: a
    cursor of another connection (the parallel load), else Django's."""
    from django.db import connection

    with (nullcontext(cursor) if cursor is not None else connection.cursor()) as cursor:
        cursor.execute(
            f"""
            INSERT INTO audit_auditevent (occurred_at, actor_id, actor_label, partner_id, customer_id, action,
                target_type, target_id, target_label, data, ip_address, user_agent, request_id)
            SELECT now() - ((g::bigint * 7919) %% 63072000) * interval '1 second',
                   NULL, {actor_sql}, {partner_sql}, {customer_sql},
                   (%(actions)s::text[])[1 + (g %% %(n_actions)s)],
                   'invitations.invitation', g::text, '#' || g || ' → it@customer' || (g %% 997) || '.example',
                   '{{"before": {{"status": "pending"}}, "after": {{"status": "accepted"}}}}'::jsonb,
                   ('203.0.113.' || (g %% 250))::inet, 'Mozilla/5.0 (bench)', 'req-' || g
            FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
            """,  # noqa: S608 (fragments are constants of this script)
            {**params, "first": first, "last": last, "actions": ACTIONS, "n_actions": len(ACTIONS)},
        )


def insert_measured(ctx: dict) -> None:
    insert_events(
        first=1, last=MEASURED_EVENTS,
        partner_sql="%(measured)s", customer_sql="%(customer_min)s + (g %% 50)",
        actor_sql="'agent' || (g %% 8) || '@measured.example'",
        params={"measured": ctx["measured"].pk, "customer_min": ctx["customer_min"]},
    )


def insert_background(ctx: dict, *, first: int, last: int, cursor: Any = None) -> None:
    insert_events(
        first=first, last=last, cursor=cursor,
        partner_sql=f"CASE WHEN g %% 10 = 0 THEN %(heavy)s ELSE %(other_min)s + (g %% {OTHER_PARTNERS}) END",
        customer_sql=f"%(customer_min)s + ((g * 31) %% {CUSTOMERS})",
        actor_sql="'user' || (g %% 40) || '@partner' || (g %% 208) || '.example'",
        params={"heavy": ctx["heavy"].pk, "other_min": ctx["other_min"], "customer_min": ctx["customer_min"]},
    )


def drop_indexes() -> list[str]:
    """Drop the audit table's secondary indexes (bulk load), returning their definitions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent'"
            " AND indexname <> 'audit_auditevent_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition.replace(" ON ONLY ", " ON ", 1) for _name, definition in indexes]


def in_parallel(statements: Iterable[str | Callable[[Any], None]], *, workers: int) -> None:
    """Run the statements (SQL text, or a function given a cursor) on `workers` connections of their
    own, each taking the next one when done: the load uses every core (one backend uses one)."""
    from django.db import connection

    queue = list(statements)
    lock = threading.Lock()
    errors: list[BaseException] = []
    params = connection.get_connection_params()

    def work() -> None:
        import psycopg2

        conn = psycopg2.connect(**params)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                while not errors:
                    with lock:
                        if not queue:
                            return
                        item = queue.pop(0)
                    if callable(item):
                        item(cursor)
                    else:
                        cursor.execute(item)
        except BaseException as error:  # noqa: BLE001 (re-raised in the caller's thread)
            errors.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(max(workers, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def create_indexes(definitions: list[str], *, workers: int) -> None:
    """Rebuild them: the same names and definitions, on every partition (as the migrations left them).
    Two CREATE INDEX on one table run at once (each takes a SHARE lock), one per connection."""
    in_parallel(definitions, workers=workers)


def analyze(*, workers: int = 1) -> None:
    """VACUUM (the visibility map the index-only scans need) each partition, `workers` at a time,
    then ANALYZE the whole table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'audit_auditevent'::regclass")
        partitions = [row[0] for row in cursor.fetchall()]
    if partitions and workers > 1:
        in_parallel([f"VACUUM {name}" for name in partitions], workers=workers)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_auditevent")


def event_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        return int(cursor.fetchone()[0])


def scenarios(ctx: dict) -> list[tuple[str, Callable[[], int]]]:
    """(name, run) pairs; run() does one request through the whole Django stack and returns rows/bytes seen."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    since = (timezone.localdate() - timedelta(days=90)).isoformat()
    clients = {}
    for partner_id, user in ctx["users"].items():
        clients[partner_id] = Client()
        clients[partner_id].force_login(user)

    def page(partner_id: str, params: dict | None = None) -> Callable[[], int]:
        url = reverse("audit:activity", kwargs={"partner_id": partner_id})

        def run() -> int:
            response = clients[partner_id].get(url, params or {})
            assert response.status_code == 200, response.status_code
            return len(response.context["page"].object_list)

        return run

    def next_page(partner_id: str) -> Callable[[], int]:
        url = reverse("audit:activity", kwargs={"partner_id": partner_id})

        def run() -> int:
            first = clients[partner_id].get(url)
            older = first.context["page"].next_query
            response = clients[partner_id].get(f"{url}?{older}")
            assert response.status_code == 200
            return len(response.context["page"].object_list)

        return run

    def export(partner_id: str, params: dict) -> Callable[[], int]:
        url = reverse("audit:activity_export", kwargs={"partner_id": partner_id})

        def run() -> int:
            response = clients[partner_id].get(url, params)
            assert response.status_code == 200
            return b"".join(response.streaming_content).count(b"\n") - 1

        return run

    measured, heavy = ctx["measured"].partner_id, ctx["heavy"].partner_id
    filtered = {"action": FILTER_ACTION, "date_from": since}
    # Heavy is filtered by action alone: at 10,000 events its action + 90 days matched 17 events, at a
    # million a full page of 50, so that ratio compared rendering 17 rows with rendering 50.
    return [
        ("Measured: activity log, first page", page(measured)),
        ("Measured: activity log, next page (+ first)", next_page(measured)),
        ("Measured: activity log, action + 90 days", page(measured, filtered)),
        ("Measured: CSV export, action + 90 days", export(measured, filtered)),
        ("Heavy: activity log, first page", page(heavy)),
        ("Heavy: activity log, action", page(heavy, {"action": FILTER_ACTION})),
    ]


def measure(ctx: dict, repeat: int) -> dict[str, tuple[float, float, int, float]]:
    """name -> (min s, median s, rows, Python CPU min s). Two warm-up runs per page, then `repeat` rounds in which every
    page runs once (interleaved, so a burst of load from elsewhere hits every page alike, not one)."""
    pages = scenarios(ctx)
    seen: dict[str, int] = {}
    for name, run in pages:
        run()
        seen[name] = run()  # warm-up: caches, plans, the first connection
    times: dict[str, list[float]] = {name: [] for name, _run in pages}
    cpu: dict[str, list[float]] = {name: [] for name, _run in pages}
    for _ in range(repeat):
        for name, run in pages:
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    results = {}
    for name, _run in pages:
        low, median = min(times[name]), statistics.median(times[name])
        results[name] = (low, median, seen[name], min(cpu[name]))
        print(f"  {name:48} min {low * 1000:8.1f} ms  median {median * 1000:8.1f} ms  (Python CPU min "
              f"{min(cpu[name]) * 1000:6.1f} ms; {seen[name]} rows)", flush=True)
    return results


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="events in the first measurement (default 10,000)")
    parser.add_argument("--large", type=int, default=10_000_000, help="events in the second (default 10,000,000)")
    parser.add_argument("--repeat", type=int, default=21, help="timed rounds, every page once per round (min and median reported)")
    parser.add_argument("--max-ratio", type=float, default=2.0, help="exit 1 above this worst median ratio (the target is 1.2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="connections loading, indexing and vacuuming at once (default: one per CPU)")
    parser.add_argument("--json", default="", help="also write the figures to this file (bench/run.py's S3 reads it)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/pc_auditbench")
    if not MEASURED_EVENTS < args.small < args.large:
        sys.exit(f"--small must exceed {MEASURED_EVENTS} and be below --large")

    recreate_database(url)
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # no request log line per request
    from django.test.utils import setup_test_environment

    setup_test_environment()  # response.context for the row counts; 'testserver' allowed
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    # One partition per month of the two years the events span, as production has them (its
    # partitions are created ahead, month by month); without them the bench measured one default
    # partition holding 99 % of the rows, a layout no deployment has.
    since = (timezone.now() - timedelta(days=740)).strftime("%Y-%m")
    call_command("audit_partitions", since=since, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('shared_buffers'), current_setting('work_mem')")
        version, shared_buffers, work_mem = cursor.fetchone()
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}")
    print(f"database: {version.split(',')[0]}, shared_buffers={shared_buffers}, work_mem={work_mem}")
    load_at_start = load()
    print(f"load average at start: {load_at_start}")

    ctx = seed()
    insert_measured(ctx)
    insert_background(ctx, first=MEASURED_EVENTS + 1, last=args.small)
    analyze()
    print(f"\n{event_count():,} events:")
    small = measure(ctx, args.repeat)

    start = time.perf_counter()
    indexes = drop_indexes()  # a bulk load then one index build is several times faster than row-by-row upkeep
    batches = [(first, min(first + BATCH - 1, args.large)) for first in range(args.small + 1, args.large + 1, BATCH)]
    inserted = [0]

    def batch(first: int, last: int) -> Callable[[Any], None]:
        def run(cursor: Any) -> None:
            insert_background(ctx, first=first, last=last, cursor=cursor)  # the filter-choice trigger runs too
            inserted[0] += last - first + 1
            print(f"  inserted {inserted[0]:,} ({time.perf_counter() - start:.0f} s)", flush=True)
        return run

    in_parallel([batch(first, last) for first, last in batches], workers=args.workers)
    timings = {"insert_s": round(time.perf_counter() - start, 1)}
    create_indexes(indexes, workers=args.workers)
    timings["indexes_s"] = round(time.perf_counter() - start - timings["insert_s"], 1)
    print(f"  {len(indexes)} indexes rebuilt ({time.perf_counter() - start:.0f} s)", flush=True)
    analyze(workers=args.workers)
    timings["vacuum_analyze_s"] = round(time.perf_counter() - start - timings["insert_s"] - timings["indexes_s"], 1)
    timings["total_s"] = round(time.perf_counter() - start, 1)
    print(f"load: {args.large - args.small:,} events in {timings['total_s']:.0f} s on {args.workers} connections (INSERT ... "
          f"generate_series {timings['insert_s']:.0f} s, index rebuild {timings['indexes_s']:.0f} s, VACUUM + ANALYZE "
          f"{timings['vacuum_analyze_s']:.0f} s; load average {load()})")
    events_large = event_count()
    print(f"\n{events_large:,} events:")
    large = measure(ctx, args.repeat)

    print(f"\nload average at the end: {load()}")
    print(f"\n{'page':48} {'small med':>10} {'large med':>10} {'ratio':>6} {'min':>8} {'min':>8} {'ratio':>6}")
    worst, worst_min, pages = 0.0, 0.0, {}
    for name, (s_min, s_med, s_rows, s_cpu) in small.items():
        l_min, l_med, l_rows, l_cpu = large[name]
        ratio = l_med / s_med
        worst, worst_min = max(worst, ratio), max(worst_min, l_min / s_min)
        print(f"{name:48} {s_med * 1000:8.1f}ms {l_med * 1000:8.1f}ms {ratio:6.2f} "
              f"{s_min * 1000:6.1f}ms {l_min * 1000:6.1f}ms {l_min / s_min:6.2f}")
        pages[name] = {"rows": [s_rows, l_rows], "median_ms": [round(s_med * 1000, 1), round(l_med * 1000, 1)],
                       "min_ms": [round(s_min * 1000, 1), round(l_min * 1000, 1)], "cpu_min_ms": [round(s_cpu * 1000, 1), round(l_cpu * 1000, 1)],
                       "median_ratio": round(ratio, 2), "min_ratio": round(l_min / s_min, 2)}
    verdict = "PASS" if worst <= args.max_ratio else "FAIL"
    print(f"\n{verdict}: worst median ratio {worst:.2f}, worst min ratio {worst_min:.2f} (limit {args.max_ratio}; target {TARGET_RATIO})")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "small": args.small, "large": args.large, "events": events_large, "rounds": args.repeat, "load": timings, "workers": args.workers,
            "worst_median_ratio": round(worst, 2), "worst_min_ratio": round(worst_min, 2), "target_ratio": TARGET_RATIO,
            "met": worst <= TARGET_RATIO, "pages": pages, "loadavg_at_start": load_at_start, "loadavg_at_end": load(),
        }, indent=2))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
