"""Embedded default (`make run`): SQLite, Celery on a filesystem broker, local mailbox.

Nothing but Python is needed: no database server, no broker, no SMTP server.
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import VAR_DIR, env

# DEBUG off by default even here: `make run` is what people try the product with, and with DEBUG on
# Django answers 404 with a page listing every URL pattern and 500 with a traceback instead of the
# product's error pages (partnercenter/error_views.py, issue 22). DJANGO_DEBUG=1 for development.
# Static files are served by WhiteNoise from the source folders either way (below).
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-do-not-use-in-production-0123456789")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
LOG_JSON = env.bool("LOG_JSON", default=False)
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_JSON else "plain"

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Mail is stored for the mailbox page (/mailbox/) instead of leaving the laptop.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="notifications.mailbox.MailboxEmailBackend")
MAILBOX_ENABLED = env.bool("MAILBOX_ENABLED", default=True)

# A real broker with no server: kombu's filesystem transport, but with atomic writes
# (partnercenter.filesystem_broker). kombu's own `_put` creates the message file under its final name
# and then writes it while `_get` reads without a lock, so a reader could get an empty file and the
# worker died with JSONDecodeError (issue 19). Ours writes to a temporary name and renames (atomic on
# POSIX), claims a message by renaming it (one reader wins), and sets an undecodable file aside.
# Chosen over kombu's SQLAlchemy transport on SQLite: that one takes the file's write lock on every poll
# and drops a publish that loses the lock (`_put` swallows OperationalError); docs/staying-up.md.
# In and out must be one folder.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT = "partnercenter.filesystem_broker:Transport"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(BROKER_DIR / "queue"),
    "data_folder_out": str(BROKER_DIR / "queue"),
    "processed_folder": str(BROKER_DIR / "processed"),
    "control_folder": str(BROKER_DIR / "control"),
    "store_processed": False,
    "polling_interval": 0.1,
}
for _folder in ("queue", "processed", "control"):
    (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
OUTBOX_SWEEP_INTERVAL_SECONDS = 10.0
OUTBOX_SWEEP_GRACE_SECONDS = 5
CELERY_BEAT_SCHEDULE["sweep-outbox"]["schedule"] = OUTBOX_SWEEP_INTERVAL_SECONDS
CELERY_BEAT_SCHEDULE["sweep-outbox"]["options"] = {"expires": OUTBOX_SWEEP_INTERVAL_SECONDS}

# Serve static files straight from the source folders (no collectstatic needed here).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Security keys on http://localhost:8000 during development (WebAuthn wants https otherwise).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # local only, whatever DEBUG says
