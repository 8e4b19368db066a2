"""The deployments we ship log no token, key or secret (issue 18, item 2).

- gunicorn as the image, compose and Procfile.full run it: no raw-path access log, our settings file;
  run for real (the Dockerfile's command), and again with the access log turned on as an operator
  might: links, join links, reset keys, 404s under a token path and a bearer key leave no trace.
- Every handler of every logger (Django's LOGGING, Celery's, runserver's) carries the redacting filter.
- The compose load balancer (nginx): no path in its access log, no request line in its error log
  under the credential paths — checked on a real nginx when one is installed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from partnercenter.log_filters import (
    SECRET_PATH_PREFIXES,
    RedactingFormatter,
    RedactingJsonFormatter,
    SecretRedactingFilter,
)
from tests.ops.conftest import created_test_database_url

ROOT = Path(settings.BASE_DIR)
RAW_REQUEST_ATOMS = ("%(r)s", "%(U)s", "%(q)s", "%(f)s", "{raw_uri}", "{path_info}", "{query_string}")
NGINX_RAW_VARIABLES = ("$request ", "$request'", "$request_uri", "$uri", "$args", "$query_string", "$http_referer",
                       "$request_body", "$arg_", "$document_uri", "$http_authorization")
TOKEN = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr"


def dockerfile_cmd() -> list[str]:
    line = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    return json.loads(line.removeprefix("CMD "))


def shipped_gunicorn_commands() -> dict[str, list[str]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    commands = {"Dockerfile CMD": dockerfile_cmd(), "docker-compose web": compose["services"]["web"]["command"]}
    for procfile in ("Procfile.full", "Procfile.embedded"):
        for line in (ROOT / procfile).read_text().splitlines():
            name, _, command = line.partition(":")
            if "gunicorn" in command:
                commands[f"{procfile} {name}"] = shlex.split(command)
    return commands


def test_every_shipped_gunicorn_command_uses_our_settings_file_and_no_access_log():
    commands = shipped_gunicorn_commands()
    assert {"Dockerfile CMD", "docker-compose web", "Procfile.full web"} <= set(commands)
    for where, command in commands.items():
        assert "-c" in command and command[command.index("-c") + 1] == "deploy/gunicorn.conf.py", where
        for option in ("--access-logfile", "--access-logformat", "--log-config", "--log-config-dict", "--logger-class"):
            assert not any(arg.startswith(option) for arg in command), f"{where}: {option}"


def test_the_gunicorn_settings_file_turns_the_access_log_off_and_redacts_gunicorns_own_lines():
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["accesslog"] is None
    assert conf["logger_class"] == "partnercenter.gunicorn_logging.RedactingGunicornLogger"
    assert not any(atom in conf["access_log_format"] for atom in RAW_REQUEST_ATOMS)
    assert "logconfig_dict" not in conf  # gunicorn turns the access log on whenever one is set


def test_every_handler_of_every_logger_redacts_celery_included(monkeypatch):  # type: ignore[no-untyped-def]
    from partnercenter.celery import app

    # Celery sets logging up once per process; another test of this worker may have done so already.
    monkeypatch.setattr(app.log, "already_setup", False)
    monkeypatch.setattr(logging.getLogger(), "level", logging.getLogger().level)  # --loglevel sets it
    # A worker or beat asks Celery to set logging up: our receiver answers, so Celery adds no handler.
    assert app.log.setup_logging_subsystem(loglevel="INFO")
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    checked = 0
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest") or isinstance(handler, logging.NullHandler):
                continue  # pytest's own capture; handlers that write nothing
            assert any(isinstance(f, SecretRedactingFilter) for f in handler.filters), (logger.name, handler)
            assert isinstance(handler.formatter, (RedactingFormatter, RedactingJsonFormatter)), (logger.name, handler)
            checked += 1
    assert checked >= 1
    # runserver's request lines ("GET /r/<token> HTTP/1.1") and Django's own loggers go through that handler.
    for name in ("django.server", "django", "django.request", "celery", "celery.task"):
        logger = logging.getLogger(name)
        assert all(isinstance(h, logging.NullHandler) for h in logger.handlers) and logger.propagate, name


def test_secret_path_prefixes_cover_every_route_taking_a_credential():
    """Every URL pattern with a `token` or `key` parameter lives under one of SECRET_PATH_PREFIXES
    (what the log filter redacts and nginx keeps out of its error log)."""

    def walk(resolver: URLResolver, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern).lstrip("^")
            if isinstance(entry, URLResolver):
                yield from walk(entry, route)
            else:
                yield route, entry

    credential_routes = [route for route, entry in walk(get_resolver(), "/")
                         if re.search(r"<(?:\w+:)?(?:token|key|uidb36)>|\(\?P<(?:token|key|uidb36)>", route)]
    # Password reset, invitation and join links (email addresses are verified by code: no confirm link).
    assert len(credential_routes) >= 3, credential_routes
    for route in credential_routes:
        assert route.startswith(SECRET_PATH_PREFIXES), route


# --- gunicorn, for real ----------------------------------------------------------------------

def _free_port() -> int:
    """A port the kernel picks (another suite may share the machine: no fixed range)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310 — loopback
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


SECRET_REQUESTS = [
    ("GET", f"/r/{TOKEN}", {}),
    ("HEAD", f"/r/{TOKEN}", {}),
    ("GET", f"/r/{TOKEN}/extra", {}),
    ("GET", f"/join/{TOKEN}", {}),
    ("HEAD", f"/join/{TOKEN}", {}),
    ("GET", f"/accounts/password/reset/key/4-{TOKEN}/", {}),
    ("GET", f"/api/v1/invitations?token={TOKEN}", {"Authorization": f"Bearer pck_{TOKEN}"}),
    ("GET", f"/nowhere/{TOKEN}?password={TOKEN}", {}),
]


@contextmanager
def gunicorn_as_shipped(tmp_path: Path, extra_args: list[str]) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    command = dockerfile_cmd()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command = [sys.executable, "-m", *command, "--workers", "1", *extra_args]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnercenter.settings.production",
           "DJANGO_SECRET_KEY": "log-config-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SECURE_SSL_REDIRECT": "False",
           "DATABASE_URL": created_test_database_url(), "LOG_LEVEL": "DEBUG", "LOG_JSON": "True",
           "API_RATE_LIMIT": ""}
    env.pop("GUNICORN_CMD_ARGS", None)
    log_path = tmp_path / f"gunicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if _request(f"{base}/healthz") == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield base, log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("extra_args", [[], ["--access-logfile", "-", "--log-level", "debug"]],
                         ids=["as shipped", "access log turned on"])
def test_gunicorn_as_the_image_runs_it_writes_no_token_key_or_password(tmp_path, extra_args):
    with gunicorn_as_shipped(tmp_path, extra_args) as (base, log_path):
        statuses = [_request(base + path, method, headers) for method, path, headers in SECRET_REQUESTS]
    assert statuses[:3] == [302, 405, 404] and statuses[6] == 401, statuses
    text = log_path.read_text()
    assert "partnercenter.request" in text and "django.request" in text  # our request lines and the 4xx warnings
    if extra_args:
        assert text.count('"GET" 302') >= 1 and '"HEAD" 405' in text  # the access log is on, without paths
    assert TOKEN not in text


# --- nginx, the compose load balancer ---------------------------------------------------------

NGINX_CONF = ROOT / "deploy" / "nginx-compose.conf"


def test_the_load_balancer_logs_no_path_and_keeps_request_lines_of_credential_paths_out_of_its_error_log():
    conf = NGINX_CONF.read_text()
    formats = re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", conf)
    assert formats, "a log_format of our own"
    for _, body in formats:
        assert not any(variable in body for variable in NGINX_RAW_VARIABLES), body
    access_logs = re.findall(r"^\s*access_log\s+([^;]+);", conf, re.MULTILINE)
    assert access_logs and all(a.split()[-1] in {name for name, _ in formats} or a.strip() == "off" for a in access_logs)
    quiet = re.search(r"location ~ (\S+) \{[^}]*error_log\s+\S+\s+crit;", conf)
    assert quiet, "credential paths have a location with a critical-only error log"
    for prefix in SECRET_PATH_PREFIXES:
        assert re.match(quiet.group(1), prefix), prefix


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx-light)")
def test_the_load_balancer_config_on_a_real_nginx_logs_no_token(tmp_path):
    port, dead_upstream = _free_port(), _free_port()
    conf = NGINX_CONF.read_text()
    conf = re.sub(r"resolver [^;]+;", "", conf)
    conf = conf.replace("http://web:8000", f"http://127.0.0.1:{dead_upstream}").replace("listen 8080", f"listen 127.0.0.1:{port}")
    conf = conf.replace("/dev/stdout", str(tmp_path / "access.log")).replace("/dev/stderr", str(tmp_path / "error.log"))
    (tmp_path / "site.conf").write_text(conf)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(f"""
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log notice;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy; fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    nginx = shutil.which("nginx")
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"])
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                _request(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not start")
                time.sleep(0.1)
        statuses = [_request(base + path, method, headers) for method, path, headers in SECRET_REQUESTS[:6]]
        assert set(statuses) == {502}, statuses  # the upstream is down: nginx logs an error for each
        _request(f"{base}/p/visible-path")
    finally:
        process.terminate()
        process.wait(timeout=10)
    access, errors = (tmp_path / "access.log").read_text(), (tmp_path / "error.log").read_text()
    assert '"GET" 502' in access and "/p/visible-path" not in access
    assert "/p/visible-path" in errors  # other paths keep their error lines (the instrument works)
    assert TOKEN not in access + errors


def test_gunicorns_own_error_lines_are_redacted_by_our_logger_class(tmp_path):
    from gunicorn.config import Config

    from partnercenter.gunicorn_logging import RedactingGunicornLogger

    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("loglevel", "debug")
    log = RedactingGunicornLogger(config)
    try:
        raise RuntimeError(f"worker died on /join/{TOKEN}")
    except RuntimeError:
        log.exception("Error handling request %s", f"/r/{TOKEN}")  # what gunicorn's worker writes on a crash
    log.error("Invalid request from ip=1.2.3.4: Bearer pck_%s", TOKEN)
    log.access_log.info('"GET /r/%s HTTP/1.1" 302', TOKEN)
    for handler in (*log.error_log.handlers, *log.access_log.handlers):
        handler.flush()
    written = (tmp_path / "error.log").read_text() + (tmp_path / "access.log").read_text()
    assert "Error handling request /r/[redacted]" in written and "RuntimeError" in written
    assert TOKEN not in written
