"""`make soak`: the embedded default under the supervisor for SOAK_MINUTES, driven like real users (issue 19).

What it starts (loopback only; stopped at the end, whatever happened):
- a fresh var folder (`var/soak/`: SQLite database, filesystem broker, beat schedule), migrated and seeded
  with one partner (an account admin, an API key) and one customer user per planned invitation;
- `deploy/supervise.py -f Procfile.embedded`: runserver on PORT (default 7600), a Celery worker and beat
  with every periodic task at least every SOAK_BEAT_SECONDS (partnercenter/settings/soak.py).

What it does, one step every SOAK_INTERVAL seconds until SOAK_MINUTES have passed, in turn:
an invitation created and sent through the API, then (by turn) the customer signs in over HTTP, opens
the link and accepts with a new tenant; or declines with a reason; or the partner, signed in, resends
it (new email) and cancels it from the invitations page; or it is left pending. Each step also loads the
partner's invitations page and the mailbox page. Optional: SOAK_KILL_WORKER_EVERY=N kills the worker
with SIGKILL every N minutes (planned exits: the supervisor must bring it back, no email may be lost).

The report (also var/soak/report.json; exit status 1 when a check fails): processes alive at the end,
exits planned and unplanned, requests made and failed, invitations per final status, every email
outbox row sent and delivered exactly once to the mailbox (and no mailbox message without its row),
the broker backlog at the end, the worker's and web server's memory at start and end.

    SOAK_MINUTES=60 PORT=7600 make soak
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
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

MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
INTERVAL = float(os.environ.get("SOAK_INTERVAL", "3"))
PORT = int(os.environ.get("PORT", "7600"))
KILL_WORKER_EVERY = float(os.environ.get("SOAK_KILL_WORKER_EVERY", "0"))
WORK_DIR = Path(os.environ.get("SOAK_DIR", str(BASE_DIR / "var" / "soak")))
PASSWORD = "soak-check-Password-1"  # noqa: S105 — throwaway users of a throwaway database
PARTNER_ID, PARTNER_ADMIN = "7600001", "admin@soak-partner.example"
BASE = f"http://127.0.0.1:{PORT}"
DRAIN_TIMEOUT = 180.0


def say(text: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {text}", flush=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Requests:
    """Every HTTP request of the soak, and the ones that failed (an exception or an unexpected status)."""

    made: int = 0
    failures: list[str] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)

    def session(self) -> urllib.request.OpenerDirector:
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())

    def call(self, kind: str, url: str, *, expect: tuple[int, ...], opener: urllib.request.OpenerDirector | None = None,
             data: dict | None = None, json_body: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        body, headers = None, dict(headers or {})
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif data is not None:
            body, headers["Content-Type"] = urllib.parse.urlencode(data).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 — loopback only
        self.made += 1
        self.by_kind[kind] += 1
        try:
            with (opener or self.session()).open(request, timeout=60) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        except OSError as error:
            self.failures.append(f"{kind}: {error!r}")
            return 0, b""
        if status not in expect:
            self.failures.append(f"{kind}: {status} {content[:200]!r}")
        return status, content


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return match.group(1).decode() if match else ""


def customer_email(number: int) -> str:
    return f"it{number}@soak-customer{number}.example"


def seed(customers: int) -> str:
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

    if not AgreementVersion.objects.exists():
        AgreementVersion.objects.create(version="2026-01", language="en", title="Customer Agreement", text="Terms.")
    partner = Partner.objects.create(name="Soak Cloud KK", partner_id=PARTNER_ID, country="JP",
                                     market_region=market_region_for("JP"), cloud=Cloud.PUBLIC,
                                     partner_type=PartnerType.DIRECT_BILL, verified_domain="soak-partner.example")
    admin = PartnerMembership.objects.create(partner=partner, user=user(PARTNER_ADMIN),
                                             roles=[PartnerRole.ACCOUNT_ADMIN.value])
    User.objects.bulk_create([User(email=customer_email(n)) for n in range(customers)])
    hashed = User.objects.get(email=PARTNER_ADMIN).password
    User.objects.filter(email__startswith="it", email__endswith=".example").update(password=hashed)
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True)
                                      for u in User.objects.filter(email__startswith="it")])
    return api_key_create(membership=admin, name="soak", scopes=[s.value for s in ApiScope]).token


def sign_in(requests: Requests, email: str) -> urllib.request.OpenerDirector:
    opener = requests.session()
    _status, page = requests.call("sign-in page", f"{BASE}/accounts/login/", expect=(200,), opener=opener)
    requests.call("sign-in", f"{BASE}/accounts/login/", expect=(302,), opener=opener,
                  data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)})
    return opener


def step(number: int, requests: Requests, api_key: str, partner: urllib.request.OpenerDirector) -> str:
    """One invitation through its life; returns the status it should end in."""
    email = customer_email(number)
    status, body = requests.call("api create+send", f"{BASE}/api/v1/invitations", expect=(201,),
                                 json_body={"recipient_email": email, "send_email": True, "include_delegated_admin": True},
                                 headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": f"soak-{number}"})
    if status != 201:
        return "unknown"
    invitation = json.loads(body)
    turn = number % 4
    if turn in (0, 1):
        customer = sign_in(requests, email)
        requests.call("open link", invitation["link"], expect=(302,), opener=customer)
        _status, page = requests.call("review page", f"{BASE}/r/", expect=(200,), opener=customer)
        if turn == 0:
            requests.call("accept", f"{BASE}/r/", expect=(200, 302), opener=customer, data={
                "csrfmiddlewaretoken": csrf_token(page), "action": "accept", "tenant": "new",
                "company_name": f"Soak Customer {number}", "primary_domain": f"soak-customer{number}.example",
                "country": "JP", "signer_name": "Soak Admin", "signer_email": email, "agreement_accepted": "on"})
            return "accepted"
        requests.call("decline", f"{BASE}/r/", expect=(200, 302), opener=customer,
                      data={"csrfmiddlewaretoken": csrf_token(page), "action": "decline", "reason": "Not now."})
        return "declined"
    if turn == 2:
        _status, page = requests.call("invitations page", f"{BASE}/p/{PARTNER_ID}/invitations/", expect=(200,), opener=partner)
        token = csrf_token(page)
        requests.call("resend", f"{BASE}/p/{PARTNER_ID}/invitations/{invitation['id']}/resend/", expect=(302,),
                      opener=partner, data={"csrfmiddlewaretoken": token})
        requests.call("cancel", f"{BASE}/p/{PARTNER_ID}/invitations/{invitation['id']}/cancel/", expect=(302,),
                      opener=partner, data={"csrfmiddlewaretoken": token})
        return "cancelled"
    requests.call("invitations page", f"{BASE}/p/{PARTNER_ID}/invitations/", expect=(200,), opener=partner)
    requests.call("mailbox page", f"{BASE}/mailbox/", expect=(200,), opener=partner)
    return "pending"


def events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def running_pids(path: Path) -> dict[str, int]:
    """The pid of each process's latest start, when it has not exited since."""
    latest: dict[str, int | None] = {}
    for event in events(path):
        latest[event["process"]] = event["pid"] if event["event"] == "started" else None
    return {name: pid for name, pid in latest.items() if pid is not None}


def main() -> int:
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    WORK_DIR.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "partnercenter.settings.soak", "PARTNERCENTER_VAR_DIR": str(WORK_DIR),
                "DATABASE_URL": f"sqlite:///{WORK_DIR / 'db.sqlite3'}", "PORT": str(PORT), "SITE_BASE_URL": BASE,
                "INVITATION_DAILY_CAP": "1000000", "PYTHONUNBUFFERED": "1"})
    os.environ.clear()
    os.environ.update(env)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, check=True)  # noqa: S603
    planned_steps = int(MINUTES * 60 / INTERVAL) + 10

    import django

    django.setup()
    from invitations.models import Invitation
    from notifications.choices import DeliveryStatus, OutboxKind
    from notifications.models import MailboxMessage, OutboxMessage

    api_key = seed(planned_steps)
    say(f"{WORK_DIR.relative_to(BASE_DIR)}: migrated and seeded ({planned_steps} customer users); "
        f"{MINUTES:g} min, one step every {INTERVAL:g}s, web on {BASE}")
    events_file, log_file = WORK_DIR / "supervise-events.jsonl", WORK_DIR / "supervise.log"
    with log_file.open("w") as log:
        supervisor = subprocess.Popen(  # noqa: S603
            [python, "deploy/supervise.py", "-f", "Procfile.embedded", "--events", str(events_file), "--grace", "20"],
            cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT)
    requests = Requests()
    planned_kills: set[int] = set()
    expected: Counter[str] = Counter()
    report: dict[str, object] = {}
    try:
        deadline = time.monotonic() + 90
        while "ready." not in log_file.read_text() or not _answers(f"{BASE}/healthz"):
            if time.monotonic() > deadline:
                raise SystemExit("[soak] FAILED: the processes did not come up in 90s (see var/soak/supervise.log)")
            time.sleep(0.5)
        pids = running_pids(events_file)
        memory_start = {name: rss_kib(pid) for name, pid in pids.items()}
        say(f"up: {pids}")
        partner = sign_in(requests, PARTNER_ADMIN)
        started = time.monotonic()
        end, next_kill = started + MINUTES * 60, started + KILL_WORKER_EVERY * 60 if KILL_WORKER_EVERY else None
        number, last_note = 0, started
        while time.monotonic() < end and number < planned_steps:
            tick = time.monotonic()
            expected[step(number, requests, api_key, partner)] += 1
            number += 1
            if next_kill is not None and tick >= next_kill:
                worker = running_pids(events_file).get("worker")
                if worker:
                    planned_kills.add(worker)
                    os.kill(worker, signal.SIGKILL)
                    say(f"planned: killed the worker (pid {worker}) with SIGKILL")
                next_kill += KILL_WORKER_EVERY * 60
            if tick - last_note >= 300:
                last_note = tick
                say(f"{(tick - started) / 60:.0f} min: {number} steps, {requests.made} requests, "
                    f"{len(requests.failures)} failed, mailbox {MailboxMessage.objects.count()}")
            time.sleep(max(INTERVAL - (time.monotonic() - tick), 0))
        ran_minutes = (time.monotonic() - started) / 60
        say(f"traffic done after {ran_minutes:.1f} min ({number} steps); waiting for the outbox to drain")

        emails = OutboxMessage.objects.filter(kind=OutboxKind.EMAIL)
        drain_deadline = time.monotonic() + DRAIN_TIMEOUT
        while emails.exclude(status=DeliveryStatus.SENT).exists() and time.monotonic() < drain_deadline:
            time.sleep(1)
        time.sleep(3)  # a duplicate a worker is about to deliver would arrive now
        pids_end = running_pids(events_file)
        alive = {name: _alive(pid) for name, pid in pids_end.items()}
        memory_end = {name: rss_kib(pid) for name, pid in pids_end.items()}
        rows = dict(Counter(emails.values_list("status", flat=True)))
        delivered = Counter(str(headers.get("X-Partnercenter-Outbox-Id"))
                            for headers in MailboxMessage.objects.values_list("headers", flat=True))
        sent_ids = {str(pk) for pk in emails.filter(status=DeliveryStatus.SENT).values_list("pk", flat=True)}
        never = sorted(sent_ids - set(delivered))
        twice = {k: v for k, v in delivered.items() if v > 1}
        orphans = sorted(set(delivered) - {str(pk) for pk in emails.values_list("pk", flat=True)})
        queue = WORK_DIR / "broker" / "queue"
        backlog = Counter(name.partition(".")[2] for name in os.listdir(queue) if name.endswith(".msg"))
        statuses = dict(Counter(Invitation.objects.filter(partner__partner_id=PARTNER_ID).values_list("status", flat=True)))
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=60)
        except subprocess.TimeoutExpired:
            supervisor.kill()
    exits = [e for e in events(events_file) if e["event"] == "exited"]
    unplanned = [e for e in exits if not e["planned"] and e["pid"] not in planned_kills]
    planned = [e for e in exits if e["planned"] or e["pid"] in planned_kills]
    report = {
        "minutes": round(ran_minutes, 1), "steps": number, "processes_alive_at_end": alive,
        "restarts": dict(Counter(e["process"] for e in exits if not e["planned"])),
        "exits_planned": len(planned), "exits_unplanned": len(unplanned),
        "unplanned_exits": unplanned[:10],
        "requests": requests.made, "requests_failed": len(requests.failures), "failures": requests.failures[:20],
        "requests_by_kind": dict(requests.by_kind),
        "invitations_expected": dict(expected), "invitations_by_status": statuses,
        "email_rows_by_status": rows, "emails_delivered": sum(delivered.values()),
        "emails_never_delivered": len(never), "emails_delivered_twice": len(twice), "mailbox_without_row": len(orphans),
        "broker_backlog_at_end": dict(backlog), "memory_kib_start": memory_start, "memory_kib_end": memory_end,
    }
    (WORK_DIR / "report.json").write_text(json.dumps(report, indent=2, default=str))
    for key, value in report.items():
        say(f"{key}: {value}")
    problems = [
        *(f"{name} not alive at the end" for name, ok in alive.items() if not ok),
        *([f"{len(unplanned)} unplanned exits"] if unplanned else []),
        *([f"{len(requests.failures)} failed requests"] if requests.failures else []),
        *([f"{len(never)} emails never delivered"] if never else []),
        *([f"{len(twice)} emails delivered more than once"] if twice else []),
        *([f"{len(orphans)} mailbox messages without an outbox row"] if orphans else []),
        *([f"email rows not sent: {rows}"] if set(rows) - {DeliveryStatus.SENT} else []),
        *([f"invitations ended {statuses}, expected {dict(expected)}"]
          if {k: v for k, v in statuses.items() if v} != {k: v for k, v in expected.items() if v} else []),
    ]
    for problem in problems:
        say(f"FAILED: {problem}")
    if not problems:
        say(f"PASSED ({WORK_DIR.relative_to(BASE_DIR)}/report.json, supervise.log)")
    return 1 if problems else 0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — loopback
            return response.status == 200
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
