"""Every limit in our code goes through the one limiter (ratelimits.services): no other counter exists.

A source scan, like an import-linter contract: throttles, cache counters and limit settings may
appear only where the one limiter is used. Sign-in, sign-up and password-reset limits are
allauth's own (ACCOUNT_RATE_LIMITS, counted in the shared cache under a cache.add lock); we do
not re-implement them, and nothing of ours imports allauth's limiter.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".tools", "tests", "migrations", "node_modules", "var", "bench", "deploy"}
LIMITER = "ratelimits"

# What another limiter would be made of.
FORBIDDEN = {
    "DRF's cache throttles (read, then write)": re.compile(r"\b(Simple|User|Anon|Scoped)RateThrottle\b"),
    "a cache counter": re.compile(r"\bcache\.(incr|decr|add)\(|\.incr\(|\.decr\("),
    "another rate-limit library": re.compile(r"django_ratelimit|allauth\.core\.internal\.ratelimit|\bratelimit\.consume\b"),
    "a count of rows compared with a limit setting": re.compile(r"\.count\(\)\s*[<>]=?\s*settings\.|settings\.\w+\s*[<>]=?\s*\w+\.objects\."),
}
LIMIT_SETTING = re.compile(r"settings\.(\w*(RATE_LIMIT|_LIMIT_PER_\w+|DAILY_CAP|_PER_DAY|EMAILS_PER_\w+))\b")


def project_sources() -> list[Path]:
    return [path for path in ROOT.rglob("*.py")
            if not SKIP.intersection(path.relative_to(ROOT).parts) and path.parts[-2:] != ("settings", path.name)]


def test_the_scan_sees_the_code_it_guards():
    names = {str(path.relative_to(ROOT)) for path in project_sources()}
    assert {"invitations/create_services.py", "partnercenter/api/throttling.py", "graphcompat/base.py"} <= names


def test_no_other_limiter_exists_in_our_code():
    found = []
    for path in project_sources():
        if path.relative_to(ROOT).parts[0] == LIMITER:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {what}" for what, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert found == []


def test_every_module_reading_a_limit_setting_counts_with_the_one_limiter():
    readers = {}
    for path in project_sources():
        text = path.read_text(encoding="utf-8")
        if LIMIT_SETTING.search(text):
            readers[str(path.relative_to(ROOT))] = "from ratelimits." in text
    assert readers, "no module reads a limit setting: the scan is broken"
    assert {name for name, uses_limiter in readers.items() if not uses_limiter} == set()


def test_the_only_throttle_answers_from_the_one_limiters_count():
    from partnercenter.api.throttling import ApiKeyRateThrottle

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["partnercenter.api.throttling.ApiKeyRateThrottle"]
    throttles = [path for path in project_sources() if "throttle_classes" in path.read_text(encoding="utf-8")]
    for path in throttles:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "throttle_classes" in line and "=" in line:
                assert "ApiKeyRateThrottle" in line or "[]" in line, f"{path}: {line.strip()}"
    assert ApiKeyRateThrottle.__mro__[1].__name__ == "BaseThrottle"  # no cache history of its own
