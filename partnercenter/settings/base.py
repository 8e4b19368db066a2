"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ, 12-factor).
`local.py` (embedded `make run`), `test.py` and `production.py` build on this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A `.env` file is optional and never committed; the environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Runtime files (SQLite database, broker folder, beat schedule); another folder for the soak check.
VAR_DIR = Path(env("PARTNERCENTER_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug — off unless an environment says so.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
ROOT_URLCONF = "partnercenter.urls"
WSGI_APPLICATION = "partnercenter.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

DJANGO_APPS = [
    "partnercenter.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_countries",
    "csp",
]
LOCAL_APPS = [
    "ratelimits",
    "accounts",
    "partners",
    "customers",
    "audit",
    "notifications",
    "relationships",
    "invitations",
    "demo",
    "servicerequests",
    "invitation_batches",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "partnercenter.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Text compression (issue 22, Lighthouse) of pages and, where WhiteNoise serves files from the source
    # folders (make run), CSS/JS too; JSON and downloads untouched (partnercenter/compression.py).
    "partnercenter.compression.PageGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "partnercenter.middleware.ViewerTimezoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "partnercenter.method_not_allowed.MethodNotAllowedMessageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in user's row read by a statement compiled once (issue 25).
    "accounts.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "partnercenter.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "partnercenter.security_headers.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # isodatetime, timeuntil_words (partnercenter/template_builtins.py) in every template.
            "builtins": ["partnercenter.template_builtins"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnercenter.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
# Default: the embedded SQLite file. PostgreSQL via DATABASE_URL=postgres://...
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# The planner's default random_page_cost (4) is for spinning disks: with it, a partner's 1,000
# relationships joined to their customers become a sequential scan of every customer (P2: 14-32 ms
# per list query instead of 2-8 ms, docs/performance.md). 1.1 is the usual value for SSDs and data
# held in memory; set on each PostgreSQL connection (production and test settings too).
POSTGRES_OPTIONS = {"options": f"-c random_page_cost={env.float('DATABASE_RANDOM_PAGE_COST', default=1.1)}"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions: the web process and the Celery worker write concurrently.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRES_OPTIONS)
# We do not use ATOMIC_REQUESTS: every service opens its own transaction, so work scheduled with
# on_commit runs right after the business transaction, never inside a request-wide one.
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# --- Authentication (django-allauth) --------------------------------------------------------
# https://docs.allauth.org/en/latest/account/configuration.html
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# An address counts as verified only when a code that reached its mailbox is typed into the very
# session that signed up (or signed in). A link would verify whoever's account it was sent for, even
# when the mailbox owner clicks it unasked: a partner could sign up in a customer's name and wait for
# that click. Codes are bound to the session, so an account the partner created in the customer's
# name stays unverified (issue 18). Nothing else marks an address verified (console.account_adapter).
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "console.account_adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "console.account_forms.SignupForm"}  # an invitation's pinned address only (issue 21, item 7)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[partnercenter] "
# allauth's built-in rate limits stay on (its defaults); we only name them to make that visible.
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# MFA_SUPPORTED_TYPES: see "Partner users' sign-in" below.
MFA_TOTP_ISSUER = "partnercenter"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# One date and time format per language (partnercenter/formats/<lang>/formats.py, issue 22 item 4).
FORMAT_MODULE_PATH = ["partnercenter.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise) --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers -----------------------------------------------------------------------
# https://django-csp.readthedocs.io/ — no inline scripts or styles anywhere, assets are vendored.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", "mailto:"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions in the database, as Django's default store, read with one SQL statement written once instead
# of a queryset compiled on every signed-in request (partnercenter/session_store.py; issue 25).
SESSION_ENGINE = "partnercenter.session_store"

# --- Email and the outbox -------------------------------------------------------------------
# Every email is an outbox row (notifications.OutboxMessage) sent by a Celery task through
# EMAIL_BACKEND. Embedded mode stores mail in the local mailbox page instead of SMTP.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://127.0.0.1:8025")
globals().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# A worker keeps its SMTP connection for consecutive deliveries (notifications.email_connection):
# reused while idle for at most this many seconds, for at most this many messages.
EMAIL_CONNECTION_IDLE_SECONDS = env.float("EMAIL_CONNECTION_IDLE_SECONDS", default=10.0)
EMAIL_CONNECTION_MAX_MESSAGES = env.int("EMAIL_CONNECTION_MAX_MESSAGES", default=50)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="partnercenter <no-reply@partnercenter.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILBOX_ENABLED = env.bool("MAILBOX_ENABLED", default=False)
# Outbox bodies can carry links with live tokens: they are sealed (Fernet) with a key derived
# from this secret, so a database dump alone does not reveal them.
OUTBOX_SEALING_KEY = env("OUTBOX_SEALING_KEY", default="")
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BACKOFF_SECONDS = env.int("OUTBOX_RETRY_BACKOFF_SECONDS", default=30)
# A row left in `sending` longer than this (a worker died mid-send) is queued again by the sweep.
OUTBOX_SENDING_LEASE_SECONDS = env.int("OUTBOX_SENDING_LEASE_SECONDS", default=300)
# Rows younger than this are left to the on-commit publish; the sweep takes the rest.
OUTBOX_SWEEP_GRACE_SECONDS = env.int("OUTBOX_SWEEP_GRACE_SECONDS", default=20)
OUTBOX_SWEEP_INTERVAL_SECONDS = env.float("OUTBOX_SWEEP_INTERVAL_SECONDS", default=30.0)
# An accepted invitation's notice to the partner is sent by a task after commit; one still due this
# long after the acceptance (its task was lost) is sent by the sweep (invitations.partner_notices).
PARTNER_NOTICE_SWEEP_GRACE_SECONDS = env.int("PARTNER_NOTICE_SWEEP_GRACE_SECONDS", default=60)

# --- Celery ---------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# A paused or unreachable Redis must not hold a request: every publish (one retry) fails within ~1 s
# and the outbox sweep sends the row later (fault drill 2, tests/drills/test_redis_faults.py).
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Without this, Celery's Django fixup closes every database connection before and after each task:
# a new PostgreSQL connection (and server backend) per email. With it, the worker keeps its
# connection and partnercenter.task_database closes it as Django does between requests
# (CONN_MAX_AGE, CONN_HEALTH_CHECKS, a connection that raised errors); the fixup still recycles it
# after this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Publishing happens after commit; if the broker is down the row stays queued for the sweep,
# so the publisher must give up fast instead of holding the request.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="default")
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "notifications.sweep_outbox",
        "schedule": OUTBOX_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_INTERVAL_SECONDS},
    },
    "expire-invitations": {
        "task": "invitations.expire",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    "partner-notices": {
        "task": "invitations.sweep_partner_notices",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "invitation-reminders": {
        "task": "invitations.send_reminders",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    "grants-lifecycle": {
        "task": "relationships.grants_lifecycle",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "grant-reminders": {
        "task": "relationships.grant_reminders",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    # The daily digest of notifications (issue 24): hourly, idempotent per person and day, sent from
    # NOTIFICATION_DIGEST_HOUR (project time zone) on; a missed hour is caught up by the next.
    "notification-digests": {
        "task": "notifications.send_digests",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    "expire-partner-user-invitations": {
        "task": "partners.expire_user_invitations",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
}
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=7)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Tokens ---------------------------------------------------------------------------------
# Keyed hashes of invitation tokens use this pepper (HMAC-SHA256); falls back to SECRET_KEY.
TOKEN_PEPPER = env("TOKEN_PEPPER", default="")
# Peppers replaced by a rotation, newest first: tokens hashed with them still match (and are rehashed).
TOKEN_PEPPER_PREVIOUS = env.list("TOKEN_PEPPER_PREVIOUS", default=[])
PARTNER_USER_INVITATION_DAYS = env.int("PARTNER_USER_INVITATION_DAYS", default=14)
# Customer invitations (reseller relationship requests).
INVITATION_VALIDITY_DAYS = env.int("INVITATION_VALIDITY_DAYS", default=30)
INVITATION_REMINDER_DAYS_BEFORE = env.list("INVITATION_REMINDER_DAYS_BEFORE", cast=int, default=[7, 1])
INVITATION_DAILY_CAP = env.int("INVITATION_DAILY_CAP", default=1000)
# Mailbox flooding (issue 18): invitation emails per invitation in all (the first send and every
# resend), and per recipient address per day across all partners (address lower-cased, "+tag"
# dropped; counted under a keyed hash, never in clear). Counted in the sending transaction.
INVITATION_EMAILS_PER_INVITATION = env.int("INVITATION_EMAILS_PER_INVITATION", default=5)
INVITATION_EMAILS_PER_RECIPIENT_PER_DAY = env.int("INVITATION_EMAILS_PER_RECIPIENT_PER_DAY", default=10)
GRANT_REQUEST_VALIDITY_DAYS = 90

# --- Product rules --------------------------------------------------------------------------
# Country -> market region table: a data file that names its source (partners/data/).
# Override with a JSON file of the same shape.
MARKET_REGIONS_FILE = env("MARKET_REGIONS_FILE", default=str(BASE_DIR / "partners" / "data" / "market_regions.json"))
# Where each cloud's customers accept partner requests (seed: public cloud -> customer admin
# center, sovereign clouds -> their office admin portal, each with its own base URL).
SITE_BASE_URL = env("SITE_BASE_URL", default="http://127.0.0.1:8000")
CLOUD_PORTALS = {
    "public": {
        "portal_name": _("Customer admin center"),
        "base_url": env("PORTAL_URL_PUBLIC", default=SITE_BASE_URL),
    },
    "us_gov": {
        "portal_name": _("Office admin portal (US Government)"),
        "base_url": env("PORTAL_URL_US_GOV", default=SITE_BASE_URL),
    },
    "germany": {
        "portal_name": _("Office admin portal (Germany)"),
        "base_url": env("PORTAL_URL_GERMANY", default=SITE_BASE_URL),
    },
}

# --- REST API -------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/ — /api/v1 only: partner API keys
# (Bearer), scopes per operation, JSON in and out, every error as RFC 9457 problem details.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.PartnerApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["partnercenter.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partnercenter.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["partnercenter.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["partnercenter.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "partnercenter.api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
}


def _api_docs() -> str:
    """docs/api.md and docs/webhooks.md (with its signature snippet), headings one level down."""
    import re

    parts = []
    for name in ("api.md", "webhooks.md"):
        path = BASE_DIR / "docs" / name
        if path.exists():
            text = re.sub(r"^(#+) ", r"#\1 ", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
            parts.append(text.split("\n", 1)[1] if name == "api.md" else text)
    return "\n".join(parts)


# https://drf-spectacular.readthedocs.io/en/latest/settings.html — UIs from drf-spectacular-sidecar (no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "partnercenter API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Automate what partners do in the console: invitations, customers, relationships, delegated admin "
        "grants, the reusable relationship link and webhooks. Authenticate with a partner API key "
        "(`Authorization: Bearer pck_…`, Partner settings → API keys); each operation names the scope it needs. "
        "Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`. Mutable "
        "resources carry an `ETag`; updates take `If-Match`. Creates take an `Idempotency-Key`. "
        "Lists use cursor pagination (`next`/`previous`); unknown query parameters are refused.\n"
        + _api_docs()
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DeliveryStatusEnum": "notifications.choices.DeliveryStatus",
        "InvitationStatusEnum": "invitations.choices.InvitationStatus",
        "GrantStatusEnum": "relationships.choices.GrantStatus",
        "RelationshipStatusEnum": "relationships.choices.RelationshipStatus",
        "ServiceRequestStatusEnum": "servicerequests.choices.ServiceRequestStatus",
        "InvitationBatchStatusEnum": "invitation_batches.choices.BatchStatus",
        "InvitationBatchSourceEnum": "invitation_batches.choices.BatchSource",
        "InvitationBatchRowStatusEnum": "invitation_batches.choices.RowStatus",
        "DelegatedAdminBatchRowStatusEnum": "invitation_batches.choices.GdapRowStatus",
        "InvitationSourceEnum": "invitations.choices.InvitationSource",
    },
}

# --- Logging --------------------------------------------------------------------------------
# JSON lines with the request id (partnercenter.middleware.RequestIdMiddleware).
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_JSON = env.bool("LOG_JSON", default=True)
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnercenter.log_filters.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_JSON else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # kombu's filesystem/memory transports have no host name and say so on every connection.
        "kombu.connection": {"level": "ERROR"},
    },
}

# --- API keys, rate limits, idempotency (issue 7) -----------------------------------------------
# Swagger UI and Redoc files served locally (no CDN).
INSTALLED_APPS = [*INSTALLED_APPS, "drf_spectacular_sidecar"]
# Every limit below is a fixed-window counter row incremented atomically in the database
# (ratelimits.services.limit_consume; docs/api.md "Rate limits"). Rates read "N/min", "N/10min", "N/day".
# Requests per API key (/api/v1 and the Graph-compatible API together). Empty: no limit.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="1200/min")
# Requests with an invalid API key: per client address (IPv6 per /64) and per key prefix
# (the first characters of the key, shown in Partner settings). Past either, every request from
# that address or with that prefix answers 429 until the window ends, even with a valid key.
API_INVALID_KEY_LIMIT_PER_IP = env("API_INVALID_KEY_LIMIT_PER_IP", default="30/10min")
API_INVALID_KEY_LIMIT_PER_PREFIX = env("API_INVALID_KEY_LIMIT_PER_PREFIX", default="60/10min")
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)

# --- Webhooks (issue 7) ---------------------------------------------------------------------
# Delivered like emails: outbox rows published after commit, Celery task with backoff, swept.
CELERY_IMPORTS = ["notifications.webhook_tasks", "partners.api_key_tasks"]
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BACKOFF_SECONDS = env.float("WEBHOOK_RETRY_BACKOFF_SECONDS", default=30.0)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_SENDING_LEASE_SECONDS = env.int("WEBHOOK_SENDING_LEASE_SECONDS", default=300)
# Events in a row that failed every attempt before the subscription is disabled (admins emailed).
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5)
WEBHOOK_SECRET_GRACE_HOURS = env.int("WEBHOOK_SECRET_GRACE_HOURS", default=24)
# Endpoints on loopback/private networks and plain http are refused unless allowed (tests, demos).
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
CELERY_BEAT_SCHEDULE["sweep-webhooks"] = {
    "task": "notifications.sweep_webhooks",
    "schedule": OUTBOX_SWEEP_INTERVAL_SECONDS,
    "options": {"expires": OUTBOX_SWEEP_INTERVAL_SECONDS},
}
CELERY_BEAT_SCHEDULE["purge-idempotency-keys"] = {
    "task": "partners.purge_idempotency_keys",
    "schedule": 3600.0,
    "options": {"expires": 3600},
}
CELERY_BEAT_SCHEDULE["purge-limit-counters"] = {
    "task": "ratelimits.purge_counters",
    "schedule": 3600.0,
    "options": {"expires": 3600},
}
CELERY_BEAT_SCHEDULE["audit-partitions"] = {
    "task": "audit.ensure_partitions",
    "schedule": 86400.0,
    "options": {"expires": 86400},
}

# --- Operations: probes, metrics, request and task logs (issue 12) ----------------------------
# /metrics answers staff sessions and `Authorization: Bearer <METRICS_TOKEN>` (empty: staff only).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Right after the request id: one log line and the metrics of every request (partnercenter.request_observation).
MIDDLEWARE.insert(MIDDLEWARE.index("partnercenter.middleware.RequestIdMiddleware") + 1,
                  "partnercenter.request_observation.RequestObservationMiddleware")
# No token, link, key or password in any log line (issue 18; partnercenter.log_filters): every record
# is scrubbed attribute by attribute by the filter and its line again by the formatter. Every logger
# writes through this one handler: django.server (runserver's raw request lines) and django (whose
# default handlers from Django's DEFAULT_LOGGING carry no filter) are routed to it as well.
LOGGING["filters"]["redact_secrets"] = {"()": "partnercenter.log_filters.SecretRedactingFilter"}
LOGGING["handlers"]["console"]["filters"] = ["request_id", "redact_secrets"]
LOGGING["formatters"]["json"]["()"] = "partnercenter.log_filters.RedactingJsonFormatter"
LOGGING["formatters"]["plain"]["()"] = "partnercenter.log_filters.RedactingFormatter"
LOGGING["loggers"]["django"] = {"handlers": [], "level": "INFO", "propagate": True}
LOGGING["loggers"]["django.server"] = {"handlers": [], "level": "INFO", "propagate": True}
LOGGING["loggers"]["partnercenter.request"] = {"level": "INFO"}
# 403/404 are logged on one line, without the traceback of the refusal (partnercenter/client_error_logging.py).
LOGGING["filters"]["client_error_without_traceback"] = {"()": "partnercenter.client_error_logging.ClientErrorWithoutTraceback"}
LOGGING["loggers"]["django.request"] = {"handlers": [], "level": "INFO", "propagate": True,
                                        "filters": ["client_error_without_traceback"]}
LOGGING["loggers"]["partnercenter.task"] = {"level": "INFO"}
# redis-py gives its RESP3 push-message logger a bare stderr handler unless the logger exists already:
# configured here, it writes through the root handler and its redaction like every other logger.
LOGGING["loggers"]["push_response"] = {"handlers": [], "level": "INFO", "propagate": True}
# Workers log through LOGGING above (JSON in production) instead of Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Microsoft Graph-compatible delegated admin API (issue 11) ------------------------------------
# /v1.0/tenantRelationships/… and Partner Center's /v1/customers/relationshiprequests; docs/graph.md.
INSTALLED_APPS = [*INSTALLED_APPS, "graphcompat"]

# --- Customer services (issue 6: commerce) ----------------------------------------------------
# Subscriptions from the product catalog, support contacts, directory users and their licenses.
INSTALLED_APPS = [*INSTALLED_APPS, "subscriptions", "directory"]
# Cross-app workflows (customer with its first invitation, the Customers page's 360 row, removal
# blockers): the top of the domain layers (LAYERS.md).
INSTALLED_APPS = [*INSTALLED_APPS, "workflows"]

# Interfaces (issue 20), above every domain app: the partner console, the customer admin center, /api/v1,
# and the staff console last (its admin.py imports the registration of every app's models).
INSTALLED_APPS = [*INSTALLED_APPS, "console", "admincenter", "api", "staff"]

# Partner domain verification (partners.domain_verification): the partner publishes a TXT record
# and the portal looks it up with dnspython. Nameservers as "ip" or "ip:port"; empty = the system's.
DOMAIN_VERIFICATION_NAMESERVERS = env.list("DOMAIN_VERIFICATION_NAMESERVERS", default=[])
DOMAIN_VERIFICATION_DNS_TIMEOUT_SECONDS = env.float("DOMAIN_VERIFICATION_DNS_TIMEOUT_SECONDS", default=3.0)
# Onboarding funnel: pending invitations expiring within this many days are listed for a resend.
FUNNEL_EXPIRING_INVITATION_DAYS = env.int("FUNNEL_EXPIRING_INVITATION_DAYS", default=7)

# --- Bulk invitations (issue 10) -----------------------------------------------------------
# Most rows one CSV upload or API request may hold; rows are parsed and stored in chunks.
INVITATION_BATCH_MAX_ROWS = env.int("INVITATION_BATCH_MAX_ROWS", default=10_000)
INVITATION_BATCH_CHUNK_ROWS = env.int("INVITATION_BATCH_CHUNK_ROWS", default=250)
# A queued or running batch without a finished row for this long has lost its job: beat queues it again.
INVITATION_BATCH_STALL_SECONDS = env.int("INVITATION_BATCH_STALL_SECONDS", default=600)
CELERY_BEAT_SCHEDULE["recover-invitation-batches"] = {
    "task": "invitation_batches.recover",
    "schedule": 300.0,
    "options": {"expires": 300},
}

# --- Partner users' sign-in (issue 18, item 11) -----------------------------------------------
# Second factors allauth offers: TOTP apps, recovery codes, and security keys / passkeys (WebAuthn,
# via fido2). WebAuthn needs a secure context: https, or http://localhost (not 127.0.0.1).
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Passkey sign-in without a password (a passkey is then the first and second factor at once).
MFA_PASSKEY_LOGIN_ENABLED = env.bool("MFA_PASSKEY_LOGIN_ENABLED", default=False)
# New partners require a second factor of every user when this is on (production turns it on;
# partners.services.partner_create); an account admin changes it under Partner settings → Sign-in security.
PARTNER_MFA_REQUIRED_DEFAULT = env.bool("PARTNER_MFA_REQUIRED_DEFAULT", default=False)
# The sign-in log (accounts.SignInEvent) keeps this many days; beat deletes older rows daily.
SIGN_IN_EVENT_RETENTION_DAYS = env.int("SIGN_IN_EVENT_RETENTION_DAYS", default=180)
CELERY_BEAT_SCHEDULE["purge-sign-in-events"] = {
    "task": "accounts.purge_sign_in_events",
    "schedule": 86400.0,
    "options": {"expires": 86400},
}
