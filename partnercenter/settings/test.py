"""Test settings: PostgreSQL and Redis when reachable, SQLite otherwise.

`REQUIRE_SERVICES=1` (set by `.ci/run`) turns an unreachable service into a failure instead of a
skip; see tests/conftest.py.
"""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from .base import *  # noqa: F403
from .base import POSTGRES_OPTIONS, VAR_DIR, env


def reachable(url: str, default_port: int) -> bool:
    """True when a TCP connection to the URL's host and port opens within half a second."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=0.5):
            return True
    except OSError:
        return False


SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MAILBOX_ENABLED = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
LOG_JSON = False
LOGGING["handlers"]["console"]["formatter"] = "plain"
LOGGING["root"]["level"] = "WARNING"

POSTGRES_URL = env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/partnercenter")
POSTGRES_AVAILABLE = reachable(POSTGRES_URL, 5432)
if POSTGRES_AVAILABLE:
    DATABASES = {"default": env.db_url_config(POSTGRES_URL)}
    DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRES_OPTIONS)
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "test.sqlite3")}}
DATABASES["default"]["ATOMIC_REQUESTS"] = False

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_AVAILABLE = reachable(REDIS_URL, 6379)

# Tasks run in-process after commit; tests that need a real broker and worker set their own.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = "memory://"
ACCOUNT_RATE_LIMITS = False
OUTBOX_SEALING_KEY = "test-outbox-sealing-key"

# Serve static files straight from the source folders (no collectstatic needed here).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# A TOTP code computed just before a 30-second boundary is checked just after it on a loaded
# machine; accept the neighbouring step in tests (production keeps allauth's default of 0).
MFA_TOTP_TOLERANCE = 1

# The bench app, so tests/bench can exercise its rungs and floors (bench.urls; never partnercenter.urls).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
