"""`make scale-check`: two web processes and two workers on one PostgreSQL and one broker, driven hard.

What it starts (ports 7400-7499, all stopped at the end, whatever happened):
- PostgreSQL database `pc_scalecheck` on the machine's server (dropped and created afresh, migrated);
- a redis-server of its own on 7460 (cache, and the broker unless --broker amqp://...);
- an SMTP sink (aiosmtpd, notifications/smtp_sink.py) on 7425 that files each message in the database;
- two gunicorn processes (production settings) on 7401 and 7402, behind a round-robin TCP proxy on 7400
  (deploy/round_robin_proxy.py: nginx is not installed here);
- two Celery workers (prefork, 2 processes each), sharing PROMETHEUS_MULTIPROC_DIR with the web processes.

What it checks (exit status 1 if any fails):
1. N invitations created through the API, round-robin over both web processes, every one 201;
   while they are created a sweeper republishes queued rows (grace 0) to provoke duplicate publishes;
2. every invitation email delivered exactly once (one message per recipient in the SMTP sink);
3. M accept races: the customer, signed in twice, posts "accept" from both sessions at the same moment
   (one through each web process): one relationship per invitation, one winner;
4. one /metrics scrape sums both web processes and both workers; no token or API key in any log.

    python deploy/scale_check.py [--invitations 500] [--races 25] [--broker amqp://guest:guest@127.0.0.1:5672//]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "deploy"))

from round_robin_proxy import RoundRobinProxy  # noqa: E402

PROXY_PORT, WEB_PORTS, SMTP_PORT, REDIS_PORT = 7400, (7401, 7402), 7425, 7460
DATABASE = "pc_scalecheck"
POSTGRES_ADMIN_URL = os.environ.get("SCALECHECK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
WORK_DIR = BASE_DIR / "var" / "scale-check"
PASSWORD = "scale-check-Password-1"  # noqa: S105 — throwaway users of a throwaway database
START_TIMEOUT, DELIVERY_TIMEOUT = 90.0, 600.0


@dataclass
class Processes:
    started: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (WORK_DIR / f"{name}.log").open("wb")
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                   start_new_session=True)
        self.started.append((name, process))
        return process

    def stop_all(self) -> None:
        for _name, process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # its own session: gunicorn/celery children too
        deadline = time.monotonic() + 30
        for _name, process in self.started:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def say(text: str) -> None:
    print(f"[scale-check] {text}", flush=True)


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.2) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"[scale-check] FAILED: timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def http(url: str, *, data: dict | None = None, json_body: dict | None = None, headers: dict | None = None,
         opener: urllib.request.OpenerDirector | None = None, timeout: float = 60.0) -> tuple[int, bytes, str]:
    body = None
    headers = dict(headers or {})
    if json_body is not None:
        body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 — loopback only
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            return response.status, response.read(), response.geturl()
    except urllib.error.HTTPError as error:
        return error.code, error.read(), url


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def session() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise SystemExit("[scale-check] FAILED: no CSRF token on the page")
    return match.group(1).decode()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)] if ordered else 0.0


def environment(broker: str, queue: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnercenter.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "TOKEN_PEPPER": secrets.token_urlsafe(32),
        "OUTBOX_SEALING_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{POSTGRES_ADMIN_URL}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "MAILBOX_ENABLED": "True",
        "SITE_BASE_URL": f"http://127.0.0.1:{PROXY_PORT}",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_SESSION_COOKIE_SECURE": "False",
        "DJANGO_CSRF_COOKIE_SECURE": "False",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "METRICS_TOKEN": secrets.token_urlsafe(24),
        "PROMETHEUS_MULTIPROC_DIR": str(WORK_DIR / "prometheus"),
        "LOG_JSON": "True",
        "LOG_LEVEL": "INFO",
        "API_RATE_LIMIT": "",
        "INVITATION_DAILY_CAP": "100000",
        "PYTHONUNBUFFERED": "1",
    }


def recreate_database() -> None:
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES_ADMIN_URL}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


def recipient(number: int) -> str:
    return f"it{number}@customer{number}.example"


def seed(races: int):  # type: ignore[no-untyped-def]
    """A partner with an account admin and an API key, the agreement, and one customer user per race."""
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from customers.models import AgreementVersion
    from partners.api_key_services import api_key_create
    from partners.choices import Cloud, PartnerRole, PartnerType
    from partners.markets import market_region_for
    from partners.models import Partner, PartnerMembership
    from partners.permissions import ApiScope

    def user(email: str) -> User:
        created = User.objects.create_user(email=email, password=PASSWORD)
        EmailAddress.objects.create(user=created, email=email, verified=True, primary=True)
        return created

    AgreementVersion.objects.create(version="2026-01", language="en", title="Customer Agreement", text="Terms.")
    partner = Partner.objects.create(name="Scale Check Cloud", partner_id="7400001", country="JP", market_region=market_region_for("JP"),
                                     cloud=Cloud.PUBLIC, partner_type=PartnerType.DIRECT_BILL,
                                     verified_domain="scalecheck-partner.example")
    admin = PartnerMembership.objects.create(partner=partner, user=user("admin@scalecheck-partner.example"),
                                             roles=[PartnerRole.ACCOUNT_ADMIN.value])
    for number in range(races):
        user(recipient(number))
    return api_key_create(membership=admin, name="scale-check", scopes=[s.value for s in ApiScope]).token


def create_invitations(count: int, api_key: str, concurrency: int) -> tuple[list[dict], list[float]]:
    def create(number: int) -> tuple[int, dict, float]:
        started = time.perf_counter()
        for attempt in range(3):  # a timed-out create is retried with its Idempotency-Key: no duplicate
            try:
                status, body, _url = send(number)
                break
            except OSError:
                if attempt == 2:
                    raise
                retried["creates"] += 1
        return status, json.loads(body) if body else {}, time.perf_counter() - started

    retried: Counter[str] = Counter()

    def send(number: int) -> tuple[int, bytes, str]:
        return http(
            f"http://127.0.0.1:{PROXY_PORT}/api/v1/invitations",
            json_body={"recipient_email": recipient(number), "send_email": True,
                       "include_delegated_admin": True},
            headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": f"scale-check-{number}"},
            timeout=90,
        )

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(create, range(count)))
    failed = [(status, body) for status, body, _ in results if status != 201]
    if failed:
        raise SystemExit(f"[scale-check] FAILED: {len(failed)} creates were refused, e.g. {failed[:3]}")
    if retried:
        say(f"{retried['creates']} creates timed out and were retried with their Idempotency-Key")
    return [body for _, body, _ in results], [seconds for _, _, seconds in results]


def race_accept(number: int, link: str) -> tuple[int, list[int]]:
    """The customer signs in, opens the link, and posts "accept" from two tabs at the same moment.

    One sign-in per race: allauth limits sign-ins to 30 a minute per address (ACCOUNT_RATE_LIMITS),
    and every request here comes from 127.0.0.1 — hence the default of 25 races.
    """
    email = recipient(number)  # the invitation's recipient, who has an account
    base = f"http://127.0.0.1:{PROXY_PORT}"
    opener = session()
    _status, page, _url = http(f"{base}/accounts/login/", opener=opener)
    status, _body, _url = http(f"{base}/accounts/login/", opener=opener,
                               data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)})
    if status != 302:
        raise SystemExit(f"[scale-check] FAILED: sign-in answered {status}")
    status, _body, _url = http(link, opener=opener)
    if status != 302:
        raise SystemExit(f"[scale-check] FAILED: the link answered {status}")
    status, page, _url = http(f"{base}/r/", opener=opener)
    if status != 200:
        raise SystemExit(f"[scale-check] FAILED: the review page answered {status}")
    form = {"csrfmiddlewaretoken": csrf_token(page), "action": "accept", "tenant": "new",
            "company_name": f"Customer {number} Traders", "primary_domain": f"customer{number}.example",
            "country": "JP", "signer_name": "Race Admin", "signer_email": email, "agreement_accepted": "on"}
    barrier = threading.Barrier(2)
    statuses: list[int] = [0, 0]
    accepted = [False, False]

    def post(index: int) -> None:
        barrier.wait(timeout=30)
        status, body, _url = http(f"{base}/r/", opener=opener, data=form)
        statuses[index], accepted[index] = status, b"<title>Accepted" in body
        if status == 400 and number == 0:
            errors = re.findall(rb'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>\s*([^<]{3,200})', body)
            say(f"race 0, an answer 400: {[e.decode().strip() for e in errors][:3]}")

    threads = [threading.Thread(target=post, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sum(accepted), statuses


def scrape_metrics(token: str) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    status, body, _url = http(f"http://127.0.0.1:{PROXY_PORT}/metrics", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, f"/metrics answered {status}"
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description="Two web processes and two workers, driven hard.")
    parser.add_argument("--invitations", type=int, default=500)
    parser.add_argument("--races", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--broker", default="", help=f"broker URL (default: the redis-server on {REDIS_PORT})")
    arguments = parser.parse_args()

    shutil.rmtree(WORK_DIR, ignore_errors=True)
    (WORK_DIR / "prometheus").mkdir(parents=True)
    queue = f"scalecheck-{secrets.token_hex(4)}"
    broker = arguments.broker or f"redis://127.0.0.1:{REDIS_PORT}/0"
    env = environment(broker, queue)
    os.environ.update({k: v for k, v in env.items() if k not in os.environ or os.environ[k] != v})
    python = sys.executable
    processes = Processes()
    proxy = RoundRobinProxy(("127.0.0.1", PROXY_PORT), [("127.0.0.1", port) for port in WEB_PORTS])
    failures: list[str] = []
    try:
        say(f"broker {re.sub(r'//[^@/]*@', '//***@', broker)}, queue {queue}, database {DATABASE}")
        processes.start("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no"], env)
        recreate_database()
        started = time.perf_counter()
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)  # noqa: S603
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)  # noqa: S603
        say(f"migrated {DATABASE} and collected static files in {time.perf_counter() - started:.1f}s")

        import django

        django.setup()
        from django.conf import settings

        from invitations.models import Invitation
        from notifications.choices import DeliveryStatus
        from notifications.models import MailboxMessage, OutboxMessage
        from notifications.services import outbox_sweep
        from relationships.models import Relationship

        api_key = seed(arguments.races)
        processes.start("smtp", [python, "manage.py", "smtp_sink", "--host", "127.0.0.1", "--port", str(SMTP_PORT)], env)
        for number, port in enumerate(WEB_PORTS, start=1):
            processes.start(f"web{number}", [python, "-m", "gunicorn", "partnercenter.wsgi:application",
                                             "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                                             "--workers", "2", "--timeout", "120", "--no-control-socket"], env)
        for number in (1, 2):
            processes.start(f"worker{number}", [python, "-m", "celery", "-A", "partnercenter", "worker",
                                                f"--hostname=scale{number}@%h", "--concurrency=2", "--loglevel=INFO",
                                                "--without-gossip", "--without-mingle"], env)
        proxy.start_in_thread()
        for port in WEB_PORTS:
            wait_for(lambda port=port: _ready(port), timeout=START_TIMEOUT, what=f"/readyz on {port}")
        say("2 web processes (2 gunicorn workers each) and 2 Celery workers (2 processes each) are up")

        # 1. Invitations through the proxy, with a sweeper provoking duplicate publishes meanwhile.
        settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
        sweeping, republished = threading.Event(), Counter()

        def sweeper() -> None:
            while not sweeping.is_set():
                republished["rows"] += outbox_sweep()
                sweeping.wait(0.5)

        sweep_thread = threading.Thread(target=sweeper, daemon=True)
        sweep_thread.start()
        started = time.perf_counter()
        created, latencies = create_invitations(arguments.invitations, api_key, arguments.concurrency)
        create_seconds = time.perf_counter() - started
        say(f"created {len(created)} invitations in {create_seconds:.1f}s ({len(created) / create_seconds:.1f}/s), "
            f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms; proxy split {dict(proxy.connections)}")

        # 2. Every invitation email delivered, exactly once.
        topics = [f"invitation:{body['id']}" for body in created]
        wait_for(lambda: OutboxMessage.objects.filter(topic__in=topics, status=DeliveryStatus.SENT).count() == len(topics)
                 and MailboxMessage.objects.count() >= len(topics), timeout=DELIVERY_TIMEOUT, what="every email sent")
        sweeping.set()
        sweep_thread.join(timeout=10)
        drained = time.perf_counter() - started
        time.sleep(2)  # let any duplicate that a worker is about to send arrive before counting
        recipients = Counter(MailboxMessage.objects.values_list("to", flat=True))
        expected = {body["recipient_email"] for body in created}
        duplicates = {to: n for to, n in recipients.items() if n > 1}
        missing = expected - set(recipients)
        outbox_ids = Counter(MailboxMessage.objects.values_list("headers__X-Partnercenter-Outbox-Id", flat=True))
        say(f"emails: {sum(recipients[r] for r in expected)} delivered to {len(expected)} recipients in {drained:.1f}s "
            f"from the first create; duplicates {len(duplicates)}, missing {len(missing)}; "
            f"rows republished by the sweeper {republished['rows']}; "
            f"max deliveries of one outbox row {max(outbox_ids.values())}")
        if duplicates or missing or max(outbox_ids.values()) != 1:
            failures.append(f"emails not exactly once: duplicates {list(duplicates)[:5]}, missing {list(missing)[:5]}")
        worker_runs = {name: _count_lines(name, "notifications.send_outbox_message") for name in ("worker1", "worker2")}
        web_runs = {name: _count_lines(name, "api:invitation-list") for name in ("web1", "web2")}
        say(f"web split (request log lines) {web_runs}; worker split (email task runs, duplicates skipped included) {worker_runs}")
        if min(web_runs.values()) == 0 or min(worker_runs.values()) == 0:
            failures.append(f"the load did not reach both processes: {web_runs} {worker_runs}")

        # 3. Accept races: both sessions post at once, through different web processes.
        started = time.perf_counter()
        winners, statuses = [], Counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            for won, pair in pool.map(lambda item: race_accept(item[0], item[1]["link"]),
                                      enumerate(created[: arguments.races])):
                winners.append(won)
                statuses.update(pair)
        raced = [body["id"] for body in created[: arguments.races]]
        per_invitation = Counter(Relationship.objects.filter(established_by_id__in=raced)
                                 .values_list("established_by_id", flat=True))
        relationships = Relationship.objects.filter(partner__partner_id="7400001").count()
        accepted = Invitation.objects.filter(pk__in=raced, status="accepted").count()
        say(f"accept races: {len(raced)} invitations, winners per race {Counter(winners)}, answers {dict(statuses)}, "
            f"accepted {accepted}, relationships {relationships} in {time.perf_counter() - started:.1f}s")
        if set(winners) != {1} or accepted != len(raced) or relationships != len(raced) or (
            set(per_invitation.values()) != {1} or len(per_invitation) != len(raced)
        ):
            failures.append("an accept race did not end with exactly one relationship")

        # 4. One scrape sums every process; no secret in any log.
        samples = scrape_metrics(env["METRICS_TOKEN"])
        served = sum(v for k, v in samples.items() if k.startswith("partnercenter_http_requests_total{")
                     and "route=api:invitation-list" in k and "status=201" in k)
        sent = samples.get("partnercenter_email_deliveries_total{outcome=sent}", 0)
        say(f"/metrics (one scrape, all processes): invitation creates counted {served:.0f}, emails sent {sent:.0f}, "
            f"outbox email sent {samples.get('partnercenter_outbox_messages{kind=email,state=sent}', 0):.0f}, "
            f"oldest queued age {samples.get('partnercenter_outbox_oldest_queued_age_seconds{kind=email}', 0):.1f}s")
        if served != len(created) or sent < len(created):
            failures.append(f"/metrics did not sum the processes: creates {served}, emails {sent}")
        logs = "".join((WORK_DIR / f"{name}.log").read_text(errors="replace") for name, _ in processes.started)
        tokens = [body["link"].rsplit("/r/", 1)[1] for body in created]
        leaked = [t for t in [api_key, PASSWORD, *tokens] if t in logs]
        say(f"logs: {len(logs.splitlines())} lines from {len(processes.started)} processes, secrets found {len(leaked)}")
        if leaked:
            failures.append(f"{len(leaked)} secrets in the logs")
    finally:
        proxy.stop()
        processes.stop_all()
        if arguments.broker.startswith("amqp"):
            _delete_amqp_queue(arguments.broker, queue)
    if failures:
        for failure in failures:
            say(f"FAILED: {failure}")
        return 1
    say(f"PASSED (logs in {WORK_DIR.relative_to(BASE_DIR)}/)")
    return 0


def _ready(port: int) -> bool:
    try:
        return http(f"http://127.0.0.1:{port}/readyz", timeout=5)[0] == 200
    except OSError:
        return False


def _count_lines(name: str, needle: str) -> int:
    path = WORK_DIR / f"{name}.log"
    return sum(1 for line in path.read_text(errors="replace").splitlines()
               if needle in line and ('"success"' in line or '"status": 201' in line))


def _delete_amqp_queue(broker: str, queue: str) -> None:
    from kombu import Connection

    try:
        with Connection(broker, connect_timeout=5) as connection:
            connection.default_channel.queue_delete(queue)
    except Exception as error:  # noqa: BLE001 — cleanup only
        say(f"could not delete queue {queue}: {error}")


if __name__ == "__main__":
    sys.exit(main())
