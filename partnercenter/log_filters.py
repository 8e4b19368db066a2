"""Log records: the request id, and no secret in any attribute of any record (issue 18).

Two layers, both over the whole record rather than case by case:
- `SecretRedactingFilter` (on every handler the project configures: LOGGING, gunicorn's loggers)
  scrubs every attribute of a record — the message and its args, `extra` fields such as the
  `request` django.request attaches (`<WSGIRequest: GET '/r/<token>'>`), dicts and lists inside
  them, the exception and stack text — so any formatter or handler downstream sees clean values;
- `RedactingFormatter` / `RedactingJsonFormatter` scrub the line they produce, whatever they put in
  it (a formatter that re-renders the traceback from `exc_info`, a field added later).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from partnercenter import request_context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_context.current().request_id or "-"
        return True


# Paths whose next segment is a credential: invitation and reusable links (/r/<token>), partner-user
# invitations (/join/<token>), allauth's password-reset and email-confirmation keys. deploy/nginx-compose.conf
# keeps these paths out of its error log too (tests/ops/test_log_configs.py holds the two lists together).
SECRET_PATH_PREFIXES = ("/r/", "/join/", "/accounts/password/reset/key/", "/accounts/confirm-email/")

_SECRET_PATTERNS = (
    (re.compile(r"(/(?:r|join)/)[A-Za-z0-9_\-]{16,}"), r"\1[redacted]"),
    (re.compile(r"(/accounts/(?:password/reset/key|confirm-email)/)[^/\s'\"?#]+"), r"\1[redacted]"),
    (re.compile(r"\bpck_[A-Za-z0-9_\-]+"), "pck_[redacted]"),
    (re.compile(r"\bwhsec_[A-Za-z0-9_\-]+"), "whsec_[redacted]"),
    (re.compile(r"(?i)\b(bearer\s+)[^\s'\",]+"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(password\d?|passwd|secret|token|key|api_key)=([^&\s'\"]+)"), r"\1=[redacted]"),
)

# Whatever the format, a run of 40+ URL-safe characters mixing upper case, lower case and digits is a
# random secret (our tokens are 43; hex digests, UUIDs and request ids never mix cases).
_LONG_RUN = re.compile(r"[A-Za-z0-9_\-]{40,}")


def _redact_long_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run):
        return "[redacted]"
    return run


# A cheap look first (substring tests, several times faster than one alternation regex): a line none
# of the patterns could match (most lines) is returned as it is.
_ANY_LONG_RUN = re.compile(r"[A-Za-z0-9_\-]{40}")


def _may_hold_secret(text: str) -> bool:
    lowered = text.lower()
    return ("/r/" in lowered or "/join/" in lowered or "/accounts/" in lowered or "pck_" in lowered
            or "whsec_" in lowered or "bearer" in lowered or "passw" in lowered or "secret" in lowered
            or "token" in lowered or "key" in lowered
            or (len(text) >= 40 and _ANY_LONG_RUN.search(text) is not None))


def redact(text: str) -> str:
    if not _may_hold_secret(text):
        return text
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return _LONG_RUN.sub(_redact_long_run, text)


def redact_value(value: Any) -> Any:
    """`value` with every secret removed: strings redacted, containers rebuilt, any other object
    replaced by its redacted text when its str() or repr() holds a secret (left as it is otherwise)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, (tuple, set, frozenset)):
        try:
            return type(value)(redact_value(v) for v in value)
        except TypeError:  # a named tuple: its values, as a list
            return [redact_value(v) for v in value]
    try:
        text, representation = str(value), repr(value)
    except Exception:  # noqa: BLE001 — a broken __str__ must not break logging
        return "[unprintable]"
    if redact(text) != text or redact(representation) != representation:
        return redact(text)
    return value


# Handled above, or set by logging itself from the code that logs (numbers, the logger's name, the
# source file and function, thread and process names): never data, so never a secret.
_SKIPPED = frozenset({"msg", "args", "exc_info", "exc_text", "stack_info", "levelno", "lineno", "created",
                      "msecs", "relativeCreated", "thread", "process", "levelname", "name", "pathname",
                      "filename", "module", "funcName", "threadName", "processName", "taskName"})


class SecretRedactingFilter(logging.Filter):
    """Scrubs tokens, links, API keys, webhook secrets and passwords from every attribute of every
    record that reaches a handler carrying it, whoever logged it (gunicorn, django.request, celery, ...).

    Our own log lines never carry them (routes, not paths; ids, not values): this is the safety net.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):
            record.msg = redact_value(record.msg)
        else:
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 — let the handler report the bad format, on clean values
                record.msg, record.args = redact(str(record.msg)), redact_value(record.args)
            else:
                cleaned = redact(message)
                if cleaned != message or record.args:
                    record.msg, record.args = cleaned, ()
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            # Formatters that render exc_info again (the JSON one does) get the cleaned text instead.
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name in _SKIPPED:
                continue
            cleaned = redact_value(value)
            if cleaned is not value and cleaned != value:
                setattr(record, name, cleaned)
        return True


class RedactingFormatter(logging.Formatter):
    """The plain formatter, with the finished line redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingJsonFormatter(JsonFormatter):
    """The JSON formatter, with the finished line redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
