"""Settings for the real Celery worker process a fault drill starts.

The test settings (same test database, same sealing key and token pepper as the pytest process),
but not eager: the broker is the drill's own redis-server and mail goes by SMTP to the drill's sink.
"""

from __future__ import annotations

from partnercenter.settings.test import *  # noqa: F403
from partnercenter.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env("DRILL_BROKER_URL")
globals().update(env.email_url("EMAIL_URL"))  # EMAIL_BACKEND smtp, EMAIL_HOST, EMAIL_PORT
EMAIL_TIMEOUT = 5
