"""Production: every secret comes from the environment, with no default.

`DJANGO_SETTINGS_MODULE=partnercenter.settings.production python manage.py check --deploy
--fail-level WARNING` passes once DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL are set.
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import POSTGRES_OPTIONS, env

SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRES_OPTIONS)
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Redis serves as cache (allauth rate limits need a shared cache across processes).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL", default="redis://127.0.0.1:6379/0"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
OUTBOX_SEALING_KEY = env("OUTBOX_SEALING_KEY", default=SECRET_KEY)

# New partners require MFA of their users unless this says otherwise (issue 18, item 11).
PARTNER_MFA_REQUIRED_DEFAULT = env.bool("PARTNER_MFA_REQUIRED_DEFAULT", default=True)
