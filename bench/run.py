"""`make bench`: the reference ladder, P1-P5, P7, P8 and the bulk batch on this machine, as tables and a JSON file;
issue 25's table (every endpoint against its floor, the floors, P7, P8, the scale figures) against its targets.

    uv run python -m bench.run [--duration 5] [--reps 3] [--connections 4] [--workers 2] [--reuse-db]

What it does, all on loopback and with processes of its own (ports 7500-7599, moved by BENCH_PORT_OFFSET;
the database by BENCH_DB):
1. a redis-server on 7510 (cache and Celery broker), the database `pc_bench` dropped, migrated and
   seeded (`bench_seed`), static files collected (production settings need the manifest);
2. gunicorn (`bench.wsgi`, production settings + bench URLs, DEBUG=False, CONN_MAX_AGE=60) on 7500;
3. wrk (a second process) against every rung and product page: a warm-up run each, then `--reps`
   rounds in which every scenario runs once (interleaved, so a burst of load from elsewhere on a
   shared machine hits all scenarios alike); median req/s, spread, p50/p95/p99, errors;
4. P2's query counts at 1, 50, 500 and 1,000 customers (in-process test client);
5. P7 (outbox -> Celery -> SMTP, one worker process) against a raw smtplib loop to the same sink,
   and P8 (invitation committed -> message in the sink at P5's rate, `--p8-rate-factor`) with an aiosmtpd sink;
6. BULK (issue 25, scale 1): a 10,000-row invitation batch uploaded and sent by its job in this
   process (bench/bulk.py): wall and CPU time, rows/s, heap peaks, against <= 60 s;
7. S2 (issue 25, scale 2): bench/tenants_scale.py in a child process on a database of its own
   (`--tenants-db`): an indirect provider's pages at 1,000 and at `--tenants-customers` (100,000)
   customers, query counts equal and the time ratio (medians and minimums over interleaved rounds)
   against <= 1.2x;
8. S3 (issue 25, scale 3): bench/audit_scale.py likewise (`--audit-db`): the activity log and its
   CSV export at 10,000 and at `--audit-events` (10 million) events, worst page against <= 1.2x.
`--only S2,S3` runs just those (no server, no ladder); `--skip-scale` leaves them out of a full run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import smtplib
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
ORIGINAL_ENV = dict(os.environ)  # before bench_env(): S2 and S3 run their children with the test settings
# Two benches on one machine: BENCH_DB and BENCH_PORT_OFFSET give the second its own database and ports.
DB_NAME = os.environ.get("BENCH_DB", "pc_bench")
VAR = BASE_DIR / "var" / "bench" / ("" if DB_NAME == "pc_bench" else DB_NAME)
RESULTS = BASE_DIR / "bench" / "results"
LUA = BASE_DIR / "bench" / "wrk" / "scenario.lua"
_OFFSET = int(os.environ.get("BENCH_PORT_OFFSET", "0"))
WEB_PORT, REDIS_PORT, SMTP_PORT = 7500 + _OFFSET, 7510 + _OFFSET, 7525 + _OFFSET
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
HOST = "127.0.0.1"


# --- Environment -------------------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    """What production settings need, with secrets kept in var/bench (sessions are signed with them)."""
    VAR.mkdir(parents=True, exist_ok=True)
    secrets_file = VAR / "secrets.json"
    if not secrets_file.exists():
        secrets_file.write_text(json.dumps({k: secrets.token_urlsafe(40) for k in ("DJANGO_SECRET_KEY", "TOKEN_PEPPER", "OUTBOX_SEALING_KEY")}))
    env = dict(os.environ)
    env.update(json.loads(secrets_file.read_text()))
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost,testserver",
        "DATABASE_URL": f"{PG_ADMIN_URL}/{DB_NAME}",
        "DJANGO_CONN_MAX_AGE": "60",
        "REDIS_URL": f"redis://{HOST}:{REDIS_PORT}/0",
        "EMAIL_URL": f"smtp://{HOST}:{SMTP_PORT}",
        "SITE_BASE_URL": f"http://{HOST}:{WEB_PORT}",
        # Plain http on loopback: no HTTPS redirect; cookies are sent by wrk as headers anyway.
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        # The product's limits would turn a benchmark into a rate-limit test.
        "API_RATE_LIMIT": "",
        "INVITATION_DAILY_CAP": "100000000",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def wait_for(condition: Any, *, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def http_ok(path: str) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, WEB_PORT, timeout=2)
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False


@contextmanager
def process(args: list[str], env: dict[str, str], name: str) -> Iterator[subprocess.Popen[bytes]]:
    """Start a child in its own process group; stop exactly that group at exit."""
    logfile = open(VAR / f"{name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(args, env=env, cwd=BASE_DIR, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        logfile.close()


def redis_server(env: dict[str, str]) -> Any:
    args = ["redis-server", "--port", str(REDIS_PORT), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", str(VAR)]
    return process(args, env, "redis")


def redis_cli(*args: str) -> str:
    return subprocess.run(["redis-cli", "-p", str(REDIS_PORT), *args], capture_output=True, text=True, check=True).stdout.strip()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, check=True)


def recreate_database() -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG_ADMIN_URL}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {DB_NAME}")
    conn.close()


# --- wrk ---------------------------------------------------------------------------------------


class Scenario:
    def __init__(self, key: str, label: str, path: str, *, mode: str = "get", headers: str = "", ok: tuple[int, ...] = (200,),
                 body: str = "") -> None:
        self.key, self.label, self.path, self.mode, self.headers, self.ok, self.body = key, label, path, mode, headers, ok, body
        self.runs: list[dict[str, Any]] = []


def run_wrk(scenario: Scenario, *, seconds: float, connections: int, env: dict[str, str], state: dict[str, Any]) -> dict[str, Any]:
    wrk_env = dict(env, BENCH_MODE=scenario.mode, BENCH_HEADERS=scenario.headers, BENCH_BODY=scenario.body, BENCH_PREFIX=f"p5-{state['run']}-{state['round']}",
                   BENCH_ACCEPTORS=state["acceptors_file"], BENCH_OFFSET=str(state["acceptor_offset"]))
    state["round"] += 1
    args = ["wrk", "-t1", f"-c{connections}", f"-d{max(round(seconds), 1)}s", "--timeout", "10s", "-s", str(LUA), f"http://{HOST}:{WEB_PORT}{scenario.path}"]
    out = subprocess.run(args, env=wrk_env, capture_output=True, text=True, check=True).stdout
    # Requests still queued in gunicorn's backlog when wrk stopped must not eat into the next run.
    wait_for(lambda: http_ok("/bench/r0"), timeout=60, what="gunicorn to drain its backlog")
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    if scenario.mode == "accept":
        state["acceptor_offset"] += result["issued"]
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    statuses = {int(code): n for code, n in result["statuses"].items()}
    result["errors"] = sum(n for code, n in statuses.items() if code not in scenario.ok) + sum(result["socket_errors"].values())
    # Accept POSTs beyond the seeded acceptors became health checks: they count as errors, not as accepts.
    result["errors"] += result.get("exhausted", 0)
    if result.get("exhausted"):
        log(f"{scenario.key}: {result['exhausted']} requests had no acceptor left (re-seed: run without --reuse-db, or more --acceptors)")
    return result


def refresh_statistics() -> None:
    """ANALYZE, as autovacuum would after P4/P5 wrote thousands of rows. A machine whose PostgreSQL
    runs with autovacuum off (ours does) otherwise plans with the statistics of the seed: e.g. one
    row estimated for the measured partner's invitations, so the pending-duplicate check scanned
    them all instead of using its partial index (2.3 ms instead of ~0.05 ms per create)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    rps = [r["rps"] for r in runs]
    median = statistics.median(rps)
    return {
        "rps_median": round(median, 1),
        "rps_min": round(min(rps), 1),
        "rps_max": round(max(rps), 1),
        "spread_pct": round(100 * (max(rps) - min(rps)) / median, 1) if median else None,
        "p50_ms": round(statistics.median(r["p50_us"] for r in runs) / 1000, 2),
        "p95_ms": round(statistics.median(r["p95_us"] for r in runs) / 1000, 2),
        "p99_ms": round(statistics.median(r["p99_us"] for r in runs) / 1000, 2),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "statuses": {code: sum(int(r["statuses"].get(code, 0)) for r in runs) for code in sorted({c for r in runs for c in r["statuses"]})},
        "exhausted": sum(r.get("exhausted", 0) for r in runs),
        "reps": [round(x, 1) for x in rps],
    }


# --- Query counts (P2) -------------------------------------------------------------------------


def query_counts(fixtures: dict[str, Any]) -> dict[str, dict[str, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, dict[str, int]] = {"html": {}, "api": {}}
    for size, partner in sorted(fixtures["query_count_partners"].items(), key=lambda item: int(item[0])):
        client = Client(HTTP_HOST=HOST)
        client.cookies["sessionid"] = partner["session"]
        for kind, path, extra in (
            ("html", f"/p/{partner['partner_id']}/customers/", {}),
            ("api", "/api/v1/customers", {"HTTP_AUTHORIZATION": f"Bearer {partner['api_key']}"}),
        ):
            client.get(path, **extra)  # warm (content types, translations)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, **extra)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} for the partner with {size} customers")
            counts[kind][size] = len(captured.captured_queries)
    return counts


# --- P7: email pipeline vs raw smtplib ----------------------------------------------------------

EMAIL_TEXT = ("Hello,\n\nContoso asks to become your reseller. Review the request: http://127.0.0.1/r/token\n\n" * 12)[:2000]
EMAIL_HTML = "<html><body>" + ("<p>Contoso asks to become your reseller. <a href='http://127.0.0.1/r/token'>Review</a></p>" * 30) + "</body></html>"


def raw_smtplib_rate(handler: Any, count: int, *, reuse: bool = True) -> dict[str, Any]:
    """The reference: a plain smtplib loop to the same sink.

    `reuse=True` (the reference P7 is judged against): one connection for the whole loop, as our
    worker keeps one per process for a burst. `reuse=False`: a connection per message (reported too).
    """
    before = len(handler.snapshot())
    started = time.monotonic()
    smtp = smtplib.SMTP(HOST, SMTP_PORT) if reuse else None
    try:
        for n in range(count):
            message = EmailMessage()
            message["Subject"], message["From"], message["To"] = "Raw smtplib", "bench@example.com", f"raw{n}@example.com"
            message["X-Partnercenter-Outbox-Id"] = "0"
            message.set_content(EMAIL_TEXT)
            message.add_alternative(EMAIL_HTML, subtype="html")
            if smtp is not None:
                smtp.send_message(message)
            else:
                with smtplib.SMTP(HOST, SMTP_PORT) as one:
                    one.send_message(message)
    finally:
        if smtp is not None:
            smtp.quit()
    seconds = time.monotonic() - started
    assert len(handler.snapshot()) - before == count
    return {"messages": count, "seconds": round(seconds, 3), "per_second": round(count / seconds, 1),
            "connection": "one for the loop" if reuse else "one per message"}


def pipeline_rate(handler: Any, count: int) -> dict[str, Any]:
    """Outbox rows committed in one transaction; one Celery worker process delivers them to the sink."""
    from django.db import transaction

    from notifications.services import RenderedEmail, email_enqueue_rendered

    rendered = RenderedEmail(subject="Pipeline", text=EMAIL_TEXT, html=EMAIL_HTML)
    before = len(handler.snapshot())
    started = time.monotonic()
    with transaction.atomic():
        for n in range(count):
            email_enqueue_rendered(to=f"pipe{n}@example.com", template="bench/pipeline", rendered=rendered, language="en")
    committed = time.monotonic()
    wait_for(lambda: len(handler.snapshot()) - before >= count, timeout=300, what=f"{count} pipeline emails in the sink")
    arrivals = handler.snapshot()[before:]
    seconds = max(a.at for a in arrivals) - started
    return {"messages": count, "seconds": round(seconds, 3), "per_second": round(count / seconds, 1),
            "enqueue_seconds": round(committed - started, 3)}


# --- P8: invitation committed -> message in the sink -------------------------------------------


def paced_invitations(fixtures: dict[str, Any], rate: float, seconds: float) -> list[dict[str, Any]]:
    """POST /api/v1/invitations at `rate` per second (open loop: each request at its scheduled time)."""
    total = max(int(rate * seconds), 1)
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    next_index = iter(range(total))
    start = time.monotonic() + 0.2
    prefix = f"p8-{secrets.token_hex(3)}"

    def worker() -> None:
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            scheduled = start + index / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing an open-loop load generator, not a test waiting for a result
            body = json.dumps({"include_delegated_admin": True, "recipient_email": f"{prefix}-{index}@customer.bench.example",
                               "language": "en", "send_email": True})
            sent = time.monotonic()
            conn = http.client.HTTPConnection(HOST, WEB_PORT, timeout=30)
            conn.request("POST", "/api/v1/invitations", body=body,
                         headers={"Authorization": f"Bearer {fixtures['api_key']}", "Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
            answered = time.monotonic()
            record = {"status": response.status, "sent": sent, "answered": answered,
                      "id": json.loads(payload).get("id") if response.status == 201 else None}
            with lock:
                results.append(record)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def end_to_end_latency(handler: Any, results: list[dict[str, Any]]) -> dict[str, Any]:
    from notifications.models import OutboxMessage

    created = [r for r in results if r["status"] == 201]
    topics = {f"invitation:{r['id']}": r for r in created}

    def outbox_ids() -> dict[int, dict[str, Any]]:
        rows = OutboxMessage.objects.filter(topic__in=list(topics), template="invitations/email/invitation").values_list("pk", "topic")
        return {pk: topics[topic] for pk, topic in rows}

    ids = outbox_ids()
    wait_for(lambda: set(ids) <= set(handler.count_by_outbox_id()), timeout=120, what="every P8 email in the sink")
    arrival = {a.outbox_id: a.at for a in handler.snapshot() if a.outbox_id in ids}
    from_answer = sorted(arrival[pk] - ids[pk]["answered"] for pk in ids)
    from_sent = sorted(arrival[pk] - ids[pk]["sent"] for pk in ids)

    def pct(values: list[float], p: float) -> float:
        return round(values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))], 3)

    return {
        "requests": len(results), "created": len(created), "errors": len(results) - len(created), "emails": len(ids),
        "commit_to_sink_s": {"p50": pct(from_answer, 50), "p95": pct(from_answer, 95), "p99": pct(from_answer, 99), "max": round(from_answer[-1], 3)},
        "request_sent_to_sink_s": {"p50": pct(from_sent, 50), "p95": pct(from_sent, 95), "p99": pct(from_sent, 99), "max": round(from_sent[-1], 3)},
    }


# --- Report ------------------------------------------------------------------------------------

TARGETS = [  # id, what, scenario key(s), reference key, target ratio
    ("P1", "full middleware stack (R2)", "R2", "R0", 0.35),
    ("P2", "Customers page (HTML), 1,000 customers", "P2_html", "R5", 0.60),
    ("P2", "/api/v1/customers page of 50", "P2_api", "R5", 0.60),
    ("P3", "acceptance page GET", "P3", "R3", 0.50),
    ("P4", "accept POST (full transaction)", "P4", "R4", 0.40),
    ("P5", "create invitation (API, emailed)", "P5", "R4", 0.50),
]
# Floors (bench/rungs.py): the least product-shaped request of a target's kind. floor / reference is
# the best ratio that target could reach if everything the product itself does took no time.
FLOORS = [  # target id, floor key, reference key
    ("P2", "F2h", "R5"),
    ("P2", "F2", "R5"),
    ("P3", "F3", "R3"),
    ("P4", "F4", "R4"),
    ("P5", "F5", "R4"),
]


# Issue 25 ("Performance, decided"): each endpoint against its floor, the floors against the raw rungs,
# the email pipeline and the commit-to-sink latency, then the scale figures. id, what, scenario, reference, target.
ISSUE25 = [
    ("P2 html", "Customers page / F2h", "P2_html", "F2h", 0.8),
    ("P2 api", "GET /api/v1/customers / F2", "P2_api", "F2", 0.8),
    ("P3", "acceptance page GET / F3", "P3", "F3", 0.6),
    ("P4", "accept POST / F4", "P4", "F4", 0.4),
    ("P5", "create invitation / F5", "P5", "F5", 0.6),
    ("F2h", "signed-in console page of 50 rows / R5", "F2h", "R5", 0.35),
    ("F3", "signed-in page in the acceptance layout / R3", "F3", "R3", 0.5),
    ("F4", "audited write with a queued email (form) / R4", "F4", "R4", 0.4),
    ("F5", "audited write with a queued email (API) / R4", "F5", "R4", 0.4),
]
P7_TARGET, P8_TARGET_P95_S = 0.8, 0.1


def issue25_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of issue 25's table and its scale figures, each against its target (None: not measured by this run)."""
    s = report.get("scenarios", {})
    rows: list[dict[str, Any]] = []
    for pid, what, key, ref, target in ISSUE25:
        if key in s and ref in s and s[ref]["rps_median"]:
            ratio = round(s[key]["rps_median"] / s[ref]["rps_median"], 2)
            rows.append({"id": pid, "what": what, "measured": f"{ratio}×", "target": f"≥ {target}×", "met": ratio >= target})
        else:
            rows.append({"id": pid, "what": what, "measured": "not in this run", "target": f"≥ {target}×", "met": None})
    p7 = report.get("p7")
    rows.append({"id": "P7", "what": "email pipeline / raw smtplib, one worker process",
                 "measured": f"{p7['ratio']}×" if p7 else "not in this run", "target": f"≥ {P7_TARGET}×",
                 "met": p7["ratio"] >= P7_TARGET if p7 else None})
    p8 = report.get("p8")
    rows.append({"id": "P8", "what": "commit → SMTP sink, p95, at P5's full rate",
                 "measured": f"{round(p8['commit_to_sink_s']['p95'] * 1000)} ms at {p8['rate_per_s']}/s" if p8 else "not in this run",
                 "target": f"≤ {P8_TARGET_P95_S * 1000:.0f} ms", "met": (p8["commit_to_sink_s"]["p95"] <= P8_TARGET_P95_S and not p8["errors"]) if p8 else None})
    bulk = report.get("bulk")
    rows.append({"id": "S1", "what": "bulk onboarding, 10,000-row batch",
                 "measured": (f"{bulk['job_s']} s wall at load {bulk['loadavg'][0]:.1f} ({bulk['rows_per_s']} rows/s); "
                              f"{bulk.get('job_work_s')} s of work; {bulk['rows']:,} rows") if bulk else "not in this run",
                 "target": "≤ 60 s", "met": bulk["met"] if bulk else None})
    s2 = report.get("tenants")
    rows.append({"id": "S2", "what": "big tenant: 100,000 customers vs 1,000, same query count, ≤ 1.2× the time",
                 "measured": (f"{s2['large']:,} vs {s2['small']:,} customers: queries {'equal' if s2['queries_equal'] else 'DIFFER'}, "
                              f"worst median ratio {s2['worst_median_ratio']}× (worst min ratio {s2['worst_min_ratio']}×; "
                              f"{s2['rounds']} rounds, load {s2['loadavg_at_end']})") if s2 and "pages" in s2 else _failed(s2),
                 "target": "equal, ≤ 1.2×", "met": s2.get("met") if s2 else None})
    s3 = report.get("audit")
    rows.append({"id": "S3", "what": "audit at 10 million events, worst page vs 10,000",
                 "measured": (f"{s3['events']:,} vs {s3['small']:,} events: worst median ratio {s3['worst_median_ratio']}× (worst min "
                              f"ratio {s3['worst_min_ratio']}×; {s3['rounds']} rounds, load {s3['loadavg_at_end']}); seeded in "
                              f"{s3['load']['total_s']:.0f} s") if s3 and "pages" in s3 else _failed(s3),
                 "target": "≤ 1.2×", "met": s3.get("met") if s3 else None})
    return rows


def _failed(result: dict[str, Any] | None) -> str:
    if result is None:
        return "not in this run"
    return f"**failed** (exit {result.get('exit')}; log {result.get('log')})"


def render_table(report: dict[str, Any]) -> str:
    s = report.get("scenarios", {})
    lines = ["| scenario | req/s median | spread (min–max) | p50 ms | p95 ms | p99 ms | requests | errors |", "|---|---|---|---|---|---|---|---|"]
    if not s:  # S2/S3 alone: no request scenarios
        lines = []
    for key, row in s.items():
        lines.append(f"| {key} {row['label']} | {row['rps_median']} | {row['spread_pct']}% ({row['rps_min']}–{row['rps_max']}) | "
                     f"{row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['requests']} | {row['errors']} |")
    lines += ["", "Issue 25: every row against its target", "", "| id | what | measured | target | met |", "|---|---|---|---|---|"]
    for row in issue25_rows(report):
        met = "—" if row["met"] is None else ("yes" if row["met"] else "**no**")
        lines.append(f"| {row['id']} | {row['what']} | {row['measured']} | {row['target']} | {met} |")
    if s or {"p7", "p8", "bulk"} & set(report):
        lines += ["", "| id | measured | reference | ratio | target | met |", "|---|---|---|---|---|---|"]
    for target in report.get("targets", []):
        lines.append(f"| {target['id']} | {target['what']} | {target['reference']} | {target['ratio']}× | ≥ {target['target']}× | "
                     f"{'yes' if target['met'] else '**no**'} |")
    if "p7" in report:
        p7 = report["p7"]
        lines.append(f"| P7 | email pipeline, 1 worker process: {p7['pipeline']['per_second']}/s | raw smtplib loop: "
                     f"{p7['raw_smtplib']['per_second']}/s (a connection per message: "
                     f"{p7['raw_smtplib_connection_per_message']['per_second']}/s) | {p7['ratio']}× | ≥ 0.30× | {'yes' if p7['met'] else '**no**'} |")
    if "p8" in report:
        p8 = report["p8"]
        lines.append(f"| P8 | committed → in sink at {p8['rate_per_s']}/s ({p8['created']} invitations) | — | p95 "
                     f"{p8['commit_to_sink_s']['p95']} s (max {p8['commit_to_sink_s']['max']} s) | p95 ≤ 2 s | {'yes' if p8['met'] else '**no**'} |")
    if "bulk" in report:
        bulk = report["bulk"]
        lines.append(f"| S1 | bulk onboarding ({bulk['path']}): {bulk['rows']:,}-row batch, job {bulk['job_s']} s ({bulk['rows_per_s']} rows/s; CPU "
                     f"{bulk['job_cpu_s']} s + PostgreSQL {bulk.get('job_db_cpu_s')} s = {bulk.get('job_work_s')} s of work; load "
                     f"{bulk['loadavg'][0]:.1f}; upload {bulk['upload']['s']} s); heap peak {bulk['heap_peak_first_chunk_mb']} MB first chunk, "
                     f"{bulk['heap_peak_last_chunk_mb']} MB last, RSS +{bulk['rss_growth_mb']} MB | — | {bulk['created']:,} created, "
                     f"{bulk['failed']} failed | ≤ {bulk['target_s']:.0f} s | {'yes' if bulk['met'] else '**no**'} |")
    if report.get("floors"):
        lines += ["", "| floor | what | reference | floor ratio | its target | reachable (floor ≥ target) |", "|---|---|---|---|---|---|"]
        for floor in report["floors"]:
            lines.append(f"| {floor['floor']} | {s[floor['floor']]['label']} | {floor['reference']} | {floor['ratio']}× | "
                         f"{floor['target_id']} ≥ {floor['target']}× | {'yes' if floor['target_reachable'] else '**no**'} |")
    for key, label, unit, counted in (("tenants", "S2 big tenant", "customers", "queries"), ("audit", "S3 audit log", "events", "rows shown")):
        scale = report.get(key)
        if not scale or "pages" not in scale:
            continue
        lines += ["", f"| {label}: page | {unit} | {counted} | median ms | min ms | Python CPU min ms | median ratio | min ratio |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, page in scale["pages"].items():
            counts = page.get("queries") or page.get("rows")
            lines.append(f"| {name} | {scale['small']:,} → {scale.get('events', scale['large']):,} | {counts[0]} → {counts[1]} | "
                         f"{page['median_ms'][0]} → {page['median_ms'][1]} | {page['min_ms'][0]} → "
                         f"{page['min_ms'][1]} | {page['cpu_min_ms'][0]} → {page['cpu_min_ms'][1]} | {page['median_ratio']}× | {page['min_ratio']}× |")
    if "query_counts" in report:
        qc = report["query_counts"]
        lines += ["", "| P2 query count | " + " | ".join(f"{k} customers" for k in qc["html"]) + " | equal |",
                  "|---|" + "---|" * (len(qc["html"]) + 1)]
        for kind in ("html", "api"):
            values = list(qc[kind].values())
            lines.append(f"| {kind} | " + " | ".join(str(v) for v in values) + f" | {'yes' if len(set(values)) == 1 else '**no**'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per scenario")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, the same for every rung")
    parser.add_argument("--partners", type=int, default=100)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--acceptors", type=int, default=3000)
    parser.add_argument("--emails", type=int, default=300, help="messages for P7")
    parser.add_argument("--p8-seconds", type=float, default=15.0)
    parser.add_argument("--p8-rate-factor", type=float, default=1.0, help="P8's rate as a share of P5's median (issue 25: its full rate)")
    parser.add_argument("--bulk-rows", type=int, default=10_000, help="rows of the bulk onboarding batch (BULK)")
    parser.add_argument("--bulk-row-by-row", action="store_true", help="BULK through the row-by-row path (before issue 25)")
    parser.add_argument("--reuse-db", action="store_true", help="keep pc_bench and var/bench/fixtures.json from the last run")
    parser.add_argument("--only", default="", help="comma-separated scenarios (e.g. P3,P4), with their reference rungs; "
                        "P7/P8, BULK, S2 and S3 run only when named (S2/S3 alone start no server); results are not written to latest.json")
    parser.add_argument("--skip-scale", action="store_true", help="leave S2 and S3 out (a full run takes them by default)")
    parser.add_argument("--tenants-customers", type=int, default=100_000, help="S2: the large provider's customers (vs 1,000)")
    parser.add_argument("--tenants-rounds", type=int, default=15, help="S2: interleaved rounds (every page once per round)")
    parser.add_argument("--tenants-db", default=os.environ.get("BENCH_TENANTS_DB", "pc_scale_bench_tenants"),
                        help="S2's database (dropped and recreated; its name must contain 'bench')")
    parser.add_argument("--audit-events", type=int, default=10_000_000, help="S3: events in the large log (vs 10,000)")
    parser.add_argument("--audit-rounds", type=int, default=21, help="S3: interleaved rounds")
    parser.add_argument("--audit-db", default=os.environ.get("BENCH_AUDIT_DB", "pc_scale_bench_audit"),
                        help="S3's database (dropped and recreated; its name must contain 'bench')")
    args = parser.parse_args(argv)
    if args.reps < 3 and not os.environ.get("BENCH_ALLOW_FEW_REPS"):
        parser.error("--reps must be at least 3")
    for tool in ("wrk", "redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed (make bench installs wrk with apt-get)")

    only = {key.strip() for key in args.only.split(",") if key.strip()}
    scale_only = bool(only) and only <= {"S2", "S3"}
    env = bench_env()
    os.environ.update(env)
    if scale_only:  # no server, no ladder: the scale rungs run against databases of their own
        report: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "scenarios": {},
                                  "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                                              "loadavg_at_start": os.getloadavg()}}
        scale_figures(args, report, only)
        report["finished_at"] = datetime.now(UTC).isoformat()
        report["machine"]["loadavg_at_end"] = os.getloadavg()
        return write_report(args, report)
    with redis_server(env):
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0,
                 timeout=10, what="redis-server")
        fixtures_file = VAR / "fixtures.json"
        if not (args.reuse_db and fixtures_file.exists()):
            log(f"database {DB_NAME}: recreate, migrate, seed {args.partners} partners × {args.customers} customers")
            recreate_database()
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "bench_seed", "--partners", str(args.partners), "--customers", str(args.customers),
                   "--acceptors", str(args.acceptors), "--out", str(fixtures_file))
        manage(env, "collectstatic", "--noinput", "-v", "0")
        fixtures = json.loads(fixtures_file.read_text())
        import django

        django.setup()
        log("P2 query counts at 1, 50, 500, 1,000 customers")
        counts = query_counts(fixtures)
        report = run_ladder(args, env, fixtures, counts)
    if not args.skip_scale and (not only or only & {"S2", "S3"}):
        scale_figures(args, report, only or {"S2", "S3"})
        report["finished_at"] = datetime.now(UTC).isoformat()
    return write_report(args, report)


def write_report(args: argparse.Namespace, report: dict[str, Any]) -> int:
    report["issue25"] = issue25_rows(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if args.only:
        path = VAR / f"bench-only-{stamp}.json"
        path.write_text(json.dumps(report, indent=2, default=str))
        print()
        print(render_table(report))
        print(f"\nJSON: {path.relative_to(BASE_DIR)} (a partial run: not written to bench/results)")
        return 0
    for path in (RESULTS / f"bench-{stamp}.json", RESULTS / "latest.json"):
        path.write_text(json.dumps(report, indent=2, default=str))
    print()
    print(render_table(report))
    print(f"\nJSON: bench/results/bench-{stamp}.json (and latest.json)")
    return 0


def run_ladder(args: argparse.Namespace, env: dict[str, str], fixtures: dict[str, Any], counts: dict[str, Any]) -> dict[str, Any]:
    bearer = f"Authorization: Bearer {fixtures['api_key']}"
    review_cookie = f"Cookie: sessionid={fixtures['review_session']}"
    csrf = secrets.token_hex(16)  # a CSRF secret of our own: the cookie and the form field carry it
    scenarios = [
        Scenario("R0", "plain WSGI constant JSON", "/bench/r0"),
        Scenario("R2", "Django + full middleware, constant JSON", "/bench/r2"),
        Scenario("R3", "R2 + one indexed SELECT", "/bench/r3"),
        Scenario("R4", "R2 + one committed INSERT", "/bench/r4", mode="post_empty", ok=(201,)),
        Scenario("R5", "R2 + 50-row tenant-filtered list", "/bench/r5"),
        Scenario("F2h", "floor: R5 as a table in the partner console, signed in", f"/bench/f2h/{fixtures['partner_id']}/",
                 headers=f"Cookie: sessionid={fixtures['partner_session']}"),
        Scenario("F2", "floor: R5 through DRF with an API key", "/bench/f2", headers=bearer),
        Scenario("F3", "floor: R3 signed in, in the acceptance page's layout", "/bench/f3", headers=review_cookie),
        Scenario("F4", "floor: signed-in form POST (CSRF), INSERT + audit event + queued email, redirect", "/bench/f4",
                 mode="post_body", ok=(302,), body=f"csrfmiddlewaretoken={csrf}",
                 headers=f"{review_cookie}; csrftoken={csrf}|Content-Type: application/x-www-form-urlencoded"),
        Scenario("F5", "floor: API key POST (DRF), INSERT + audit event + queued email", "/bench/f5", mode="post_body", ok=(201,),
                 body='{"note": "floor"}', headers=f"{bearer}|Content-Type: application/json"),
        Scenario("P2_html", "Customers page (HTML)", f"/p/{fixtures['partner_id']}/customers/", headers=f"Cookie: sessionid={fixtures['partner_session']}"),
        Scenario("P2_api", "GET /api/v1/customers (50)", "/api/v1/customers", headers=bearer),
        Scenario("P3", "acceptance page GET", "/r/", headers=review_cookie),
        Scenario("P4", "accept POST", "/r/", mode="accept", ok=(200, 409, 410)),
        Scenario("P5", "POST /api/v1/invitations (send_email)", "/api/v1/invitations", mode="create_invitation", headers=bearer, ok=(201,)),
    ]
    if args.only:
        wanted = {key.strip() for key in args.only.split(",") if key.strip()}
        wanted |= {ref for _pid, _what, key, ref, _target in TARGETS if key in wanted or _pid in wanted}
        wanted |= {key for _pid, _what, key, _ref, _target in TARGETS if _pid in wanted}
        wanted |= {floor for pid, floor, _ref in FLOORS if pid in wanted}
        scenarios = [s for s in scenarios if s.key in wanted]
    # With --reuse-db, acceptors used by earlier runs are skipped (their invitations are accepted).
    # Recipient addresses are unique per run too, so a --reuse-db run does not meet its pending invitations.
    state: dict[str, Any] = {"run": secrets.token_hex(3), "round": 0, "acceptor_offset": fixtures.get("acceptors_used", 0), "acceptors_file": fixtures["acceptors_file"]}
    gunicorn_env = dict(env, BENCH_TENANT_ID=fixtures["lookup_tenant_id"], BENCH_PARTNER_PK=str(fixtures["partner_pk"]))
    gunicorn = [sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"{HOST}:{WEB_PORT}", "--workers", str(args.workers),
                "--no-control-socket", "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"]
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "loadavg_at_start": os.getloadavg()},
        "config": {"workers": args.workers, "worker_class": "sync", "connections": args.connections, "duration_s": args.duration,
                   "warmup_s": args.warmup, "reps": args.reps, "partners": fixtures["partners"], "customers_per_partner": fixtures["partner_customers"],
                   "load_generator": "wrk -t1 (bench/wrk/scenario.lua)", "conn_max_age": 60, "settings": "bench.settings (production + bench URLs)"},
        "query_counts": counts,
    }
    with process(gunicorn, gunicorn_env, "gunicorn"):
        wait_for(lambda: http_ok("/bench/r0"), timeout=30, what="gunicorn")
        for scenario in scenarios:
            log(f"warm-up {scenario.key}")
            run_wrk(scenario, seconds=args.warmup, connections=args.connections, env=env, state=state)
        refresh_statistics()
        for rep in range(args.reps):
            for scenario in scenarios:
                result = run_wrk(scenario, seconds=args.duration, connections=args.connections, env=env, state=state)
                scenario.runs.append(result)
                log(f"round {rep + 1}/{args.reps} {scenario.key}: {result['rps']:.1f} req/s, p95 {result['p95_us'] / 1000:.1f} ms, "
                    f"errors {result['errors']}")
            refresh_statistics()
        report["scenarios"] = {s.key: {"label": s.label, "path": s.path, **summarise(s.runs)} for s in scenarios}
        report["targets"] = []
        for pid, what, key, ref, target in TARGETS:
            if key not in report["scenarios"] or ref not in report["scenarios"]:
                continue
            ratio = report["scenarios"][key]["rps_median"] / report["scenarios"][ref]["rps_median"]
            extra_ok = report["scenarios"][key]["errors"] == 0 if pid == "P4" else True
            report["targets"].append({"id": pid, "what": what, "scenario": key, "reference": ref, "ratio": round(ratio, 2),
                                      "target": target, "met": ratio >= target and extra_ok})
        report["floors"] = []
        for pid, floor, ref in FLOORS:
            if floor not in report["scenarios"] or ref not in report["scenarios"]:
                continue
            ratio = report["scenarios"][floor]["rps_median"] / report["scenarios"][ref]["rps_median"]
            target = next(t for p, _w, _k, _r, t in TARGETS if p == pid)
            report["floors"].append({"floor": floor, "reference": ref, "ratio": round(ratio, 2), "target_id": pid, "target": target,
                                     "target_reachable": ratio >= target})
        fixtures["acceptors_used"] = state["acceptor_offset"]
        (VAR / "fixtures.json").write_text(json.dumps(fixtures, indent=2))
        if not args.only or "BULK" in {key.strip() for key in args.only.split(",")}:
            bulk_figures(args, fixtures, report, run=state["run"])
        if not args.only or {"P7", "P8"} & {key.strip() for key in args.only.split(",")}:
            email_figures(args, env, fixtures, report)
    report["finished_at"] = datetime.now(UTC).isoformat()
    report["machine"]["loadavg_at_end"] = os.getloadavg()
    return report


def scale_figures(args: argparse.Namespace, report: dict[str, Any], which: set[str]) -> None:
    """S2 and S3 (issue 25, scale 2 and 3): bench/tenants_scale.py and bench/audit_scale.py, each in a
    child process with the test settings (in-process test client, as `make bench-tenants` and
    `make bench-audit`) on a database of its own; their figures come back as JSON. Their output goes
    to var/bench/<db>/s2.log and s3.log and to this terminal."""
    runs = [
        ("S2", "tenants", "tenants_scale.py", args.tenants_db,
         ["--large", str(args.tenants_customers), "--rounds", str(args.tenants_rounds)]),
        ("S3", "audit", "audit_scale.py", args.audit_db,
         ["--large", str(args.audit_events), "--repeat", str(args.audit_rounds), "--max-ratio", "1000"]),
    ]
    for key, name, script, database, extra in runs:
        if key not in which:
            continue
        out = VAR / f"{key.lower()}.json"
        logfile = VAR / f"{key.lower()}.log"
        out.unlink(missing_ok=True)
        child_env = dict(ORIGINAL_ENV, DJANGO_SETTINGS_MODULE="partnercenter.settings.test", DATABASE_URL=f"{PG_ADMIN_URL}/{database}",
                         PYTHONUNBUFFERED="1")
        log(f"{key} {script} {' '.join(extra)} (database {database}; log {logfile.relative_to(BASE_DIR)})")
        started = time.monotonic()
        with open(logfile, "w") as sink:
            child = subprocess.Popen([sys.executable, str(BASE_DIR / "bench" / script), *extra, "--json", str(out)], env=child_env,
                                     cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            assert child.stdout is not None
            for line in child.stdout:
                sink.write(line)
                print(f"  {key} | {line}", end="", flush=True)
            code = child.wait()
        if out.exists():
            report[name] = {**json.loads(out.read_text()), "exit": code, "wall_s": round(time.monotonic() - started, 1)}
        else:
            report[name] = {"exit": code, "log": str(logfile.relative_to(BASE_DIR))}
        log(f"{key} done in {time.monotonic() - started:.0f} s (exit {code})")


def bulk_figures(args: argparse.Namespace, fixtures: dict[str, Any], report: dict[str, Any], *, run: str) -> None:
    """Scale 1 (issue 25): the bulk onboarding batch, in this process (bench/bulk.py)."""
    from bench.bulk import bulk_onboarding

    log(f"BULK {args.bulk_rows}-row invitation batch: upload, then the job")
    report["bulk"] = bulk_onboarding(rows=args.bulk_rows, run=run, exclude_partner_pk=fixtures["partner_pk"],
                                     row_by_row=args.bulk_row_by_row)
    bulk = report["bulk"]
    log(f"BULK job {bulk['job_s']} s ({bulk['rows_per_s']} rows/s), CPU {bulk['job_cpu_s']} s, load {bulk['loadavg']}")


def email_figures(args: argparse.Namespace, env: dict[str, str], fixtures: dict[str, Any], report: dict[str, Any]) -> None:
    from bench.sink import smtp_sink

    # P4/P5 left thousands of publishes in our own broker with no worker: drop them (the rows stay
    # queued in the database; no beat runs here, so nothing sweeps them during P7/P8).
    redis_cli("flushall")
    worker = [sys.executable, "-m", "celery", "-A", "partnercenter", "worker", "--pool", "prefork", "--concurrency", "1",
              "--without-gossip", "--without-mingle", "--without-heartbeat", "--queues", "default", "--loglevel", "WARNING",
              "--hostname", "bench-worker@%h"]
    with smtp_sink(port=SMTP_PORT) as handler:
        log(f"P7 raw smtplib loop, {args.emails} messages")
        raw = raw_smtplib_rate(handler, args.emails, reuse=True)
        raw_per_message = raw_smtplib_rate(handler, args.emails, reuse=False)
        with process(worker, env, "celery"):
            log("P7 waiting for the worker (one warm-up email)")
            pipeline_rate(handler, 1)
            log(f"P7 pipeline, {args.emails} messages")
            pipe = pipeline_rate(handler, args.emails)
            ratio = pipe["per_second"] / raw["per_second"]
            report["p7"] = {"raw_smtplib": raw, "raw_smtplib_connection_per_message": raw_per_message, "pipeline": pipe, "ratio": round(ratio, 2), "target": 0.30, "met": ratio >= 0.30,
                            "worker": "1 process (prefork, concurrency 1)"}
            rate = max(report["scenarios"].get("P5", {}).get("rps_median", 20.0) * args.p8_rate_factor, 1.0)
            log(f"P8 {rate:.1f} invitations/s for {args.p8_seconds:.0f}s, worker concurrency 1")
            results = paced_invitations(fixtures, rate, args.p8_seconds)
            p8 = end_to_end_latency(handler, results)
            report["p8"] = {"rate_per_s": round(rate, 1), **p8, "target_p95_s": 2.0,
                            "met": p8["commit_to_sink_s"]["p95"] <= 2.0 and p8["errors"] == 0}


if __name__ == "__main__":
    sys.exit(main())
