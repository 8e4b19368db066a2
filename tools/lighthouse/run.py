"""`make lighthouse`: Lighthouse (mobile) on five key pages of the embedded default, against issue 22's bar.

Starts the app as `make run` serves it (partnercenter.settings.local, DEBUG off, SQLite) in its own folder
(var/lighthouse/) on LIGHTHOUSE_PORT, fills it with the demo world, signs people in by session cookie and
runs Lighthouse 12 (tools/lighthouse/package.json, `npm ci` there) with Debian chromium (CHROME_PATH) on:
sign-in, Customers and Invitations (the account admin), the acceptance page (a customer global admin)
and the customer admin center (the same admin). Prints accessibility / best practices / performance per
page against the targets (>= 98 / 100 / >= 90), the failed audits of any page below target, and exits 1
when a page misses one. JSON reports are kept in var/lighthouse/reports/. Not part of `make test`:
Lighthouse's performance figure depends on how busy the machine is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE_DIR = HERE.parents[1]
WORK_DIR = Path(os.environ.get("LIGHTHOUSE_DIR", str(BASE_DIR / "var" / "lighthouse")))
PORT = int(os.environ.get("LIGHTHOUSE_PORT", "7650"))
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
TARGETS = {"accessibility": 98, "best-practices": 100, "performance": 90}

# Runs inside the app's environment: prints what the pages need (cookies, ids, the acceptance link).
SETUP = """
import json
from django.test import Client
from accounts.models import User
from customers.models import Customer
from invitations.create_services import invitation_create
from invitations.links import invitation_url
from partners.models import PartnerMembership

def cookie(email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies["sessionid"].value

admin = PartnerMembership.objects.get(partner__partner_id="4100001", user__email="admin@contoso-cloud.example")
invitation = invitation_create(membership=admin, include_delegated_admin=True)
link = invitation_url(invitation)
print(json.dumps({
    "admin": cookie("admin@contoso-cloud.example"),
    "customer": cookie("it@northwind.example"),
    "tenant": str(Customer.objects.get(primary_domain="northwind.example").tenant_id),
    "link": "/" + link.split("://", 1)[1].split("/", 1)[1],
}))
"""


def app_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "partnercenter.settings.local", "PARTNERCENTER_VAR_DIR": str(WORK_DIR),
                "SITE_BASE_URL": f"http://127.0.0.1:{PORT}", "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING"})
    return env


def manage(*args: str, capture: bool = False) -> str:
    run = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=app_env(), check=True,
                         capture_output=capture, text=True)
    return run.stdout if capture else ""


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not answer {url} within {seconds:.0f} s")


def lighthouse(name: str, url: str, cookie: str | None) -> dict[str, object]:
    report = WORK_DIR / "reports" / f"{name}.json"
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
               "--only-categories=accessibility,best-practices,performance", "--form-factor=mobile",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"sessionid={cookie}"}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME_PATH})
    return json.loads(report.read_text())


def main() -> int:
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"Lighthouse is not installed: npm ci --prefix {HERE}")
    if shutil.which(CHROME_PATH) is None and not Path(CHROME_PATH).exists():
        raise SystemExit(f"no Chrome at {CHROME_PATH} (CHROME_PATH)")
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    (WORK_DIR / "reports").mkdir(parents=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("demo_data")
    setup = json.loads(manage("shell", "-c", SETUP, capture=True).strip().splitlines()[-1])
    base = f"http://127.0.0.1:{PORT}"
    pages = [
        ("sign-in", "/accounts/login/", None),
        ("customers", "/p/4100001/customers/", setup["admin"]),
        ("invitations", "/p/4100001/invitations/", setup["admin"]),
        ("acceptance", setup["link"], setup["customer"]),
        ("admin-center", f"/c/{setup['tenant']}/", setup["customer"]),
    ]
    log = (WORK_DIR / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
                              cwd=BASE_DIR, env=app_env(), stdout=log, stderr=subprocess.STDOUT)
    missed = 0
    try:
        wait_until_up(f"{base}/healthz")
        print(f"{'page':<14}{'accessibility':>15}{'best practices':>16}{'performance':>13}   (targets >= 98 / 100 / >= 90)")
        for name, path, cookie in pages:
            try:
                result = lighthouse(name, base + path, cookie)
            except subprocess.CalledProcessError:
                print(f"{name:<14}Lighthouse failed on {base + path} (see {WORK_DIR / 'server.log'})")
                missed += 1
                continue
            final = result.get("finalDisplayedUrl") or result.get("finalUrl")
            categories = result["categories"]
            scores = {key: round((categories[key]["score"] or 0) * 100) for key in TARGETS}
            marks = {key: "" if scores[key] >= TARGETS[key] else " !" for key in TARGETS}
            print(f"{name:<14}{scores['accessibility']:>13}{marks['accessibility']:<2}{scores['best-practices']:>14}"
                  f"{marks['best-practices']:<2}{scores['performance']:>11}{marks['performance']:<2}  {final}")
            if any(marks.values()):
                missed += 1
                audits = result["audits"]
                for key in TARGETS:
                    for ref in categories[key]["auditRefs"]:
                        audit = audits[ref["id"]]
                        if ref.get("weight") and audit.get("score") is not None and audit["score"] < 0.9:
                            print(f"    {key}: {audit['id']} {audit['score']:.2f} {audit.get('displayValue', '')}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    print(f"reports: {WORK_DIR / 'reports'}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
