"""Fail fast when the Redis named in CELERY_BROKER_URL / REDIS_URL does not answer.

Without this the Celery worker and beat would retry the connection forever under the supervisor.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

import redis

urls = {os.environ.get(name, "") for name in ("CELERY_BROKER_URL", "REDIS_URL")}
for url in sorted(u for u in urls if u.startswith(("redis://", "rediss://"))):
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        where = urlparse(url)  # no password in the message
        sys.exit(f"Redis is not reachable at {where.hostname}:{where.port or 6379}{where.path}: {exc}")
    finally:
        client.close()
