"""Production settings: no unsafe defaults, and Django's deployment check passes cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {
    "DJANGO_SETTINGS_MODULE": "partnercenter.settings.production",
    "DJANGO_SECRET_KEY": "a-production-secret-that-is-long-and-random-enough-0123456789-abcdef",
    "DJANGO_ALLOWED_HOSTS": "partners.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/partnercenter",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_passes_with_zero_warnings_when_required_variables_are_set():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=REQUIRED)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in REQUIRED.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_has_debug_off_by_default():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=REQUIRED)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_production_requires_mfa_of_new_partners_by_default():
    """Issue 18, item 11: new partners get `mfa_required` from this setting (partners.services.partner_create)."""
    script = "from django.conf import settings; print(settings.PARTNER_MFA_REQUIRED_DEFAULT)"
    result = manage("shell", "-c", script, env=REQUIRED)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
    turned_off = manage("shell", "-c", script, env={**REQUIRED, "PARTNER_MFA_REQUIRED_DEFAULT": "0"})
    assert turned_off.stdout.strip().splitlines()[-1] == "False", turned_off.stderr
