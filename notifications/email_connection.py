"""One email connection per worker process (thread), reused by consecutive deliveries.

Django's `EmailMessage.send()` opens a connection per message: TCP connect, EHLO (and STARTTLS and
AUTH with a real relay), then QUIT after the one message, several round trips for each email. A
worker delivering a burst keeps its connection instead:

- reused only while fresh: idle for at most EMAIL_CONNECTION_IDLE_SECONDS (well under any server's
  idle timeout, so a connection the server dropped is not picked up again) and for at most
  EMAIL_CONNECTION_MAX_MESSAGES messages (relays limit messages per connection);
- closed after any error, so the next delivery starts on a new connection: a 4xx/5xx answer, a
  timeout or a dropped connection is classified and handled exactly as before (the error of this
  delivery is unchanged, and nothing is retried here, so nothing is sent twice);
- never shared between processes (a forked child opens its own) or threads, and re-created when the
  email settings change.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend


@dataclass
class _Held:
    pid: int
    key: tuple[Any, ...]
    backend: BaseEmailBackend
    last_used: float
    sent: int = 0


_local = threading.local()


def _settings_key() -> tuple[Any, ...]:
    return tuple(getattr(settings, name, None) for name in (
        "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
        "EMAIL_USE_SSL", "EMAIL_TIMEOUT"))


def _drop(held: _Held) -> None:
    _local.held = None
    if held.pid == os.getpid():  # a parent's socket is the parent's to close
        with contextlib.suppress(Exception):
            held.backend.close()


def send_email(email: EmailMessage) -> None:
    """Send one message on this worker's connection, opening a new one when needed. Raises as send() does."""
    held: _Held | None = getattr(_local, "held", None)
    now = time.monotonic()
    if held is not None and (
        held.pid != os.getpid()
        or held.key != _settings_key()
        or now - held.last_used > settings.EMAIL_CONNECTION_IDLE_SECONDS
        or held.sent >= settings.EMAIL_CONNECTION_MAX_MESSAGES
    ):
        _drop(held)
        held = None
    if held is None:
        backend = get_connection(fail_silently=False)
        backend.open()
        held = _local.held = _Held(pid=os.getpid(), key=_settings_key(), backend=backend, last_used=now)
    try:
        held.backend.send_messages([email])
    except BaseException:
        _drop(held)
        raise
    held.sent += 1
    held.last_used = time.monotonic()


def close() -> None:
    """Close this thread's connection, if any (worker shutdown, tests)."""
    held: _Held | None = getattr(_local, "held", None)
    if held is not None:
        _drop(held)
