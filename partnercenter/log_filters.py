"""Log record filter adding the current request id (empty outside a request)."""

from __future__ import annotations

import logging
import re

from partnercenter import request_context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_context.current().request_id or "-"
        return True


# Secrets that can reach a log message: invitation and partner-user links (/r/<token>, /join/<token>),
# API keys (pck_...), bearer credentials and password/token/key query or form parameters.
_SECRET_PATTERNS = (
    (re.compile(r"(/(?:r|join)/)[A-Za-z0-9_\-]{16,}"), r"\1[redacted]"),
    (re.compile(r"\bpck_[A-Za-z0-9_\-]+"), "pck_[redacted]"),
    (re.compile(r"(?i)\b(bearer\s+)[^\s'\",]+"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(password\d?|passwd|secret|token|key|api_key)=([^&\s'\"]+)"), r"\1=[redacted]"),
)


# Cheap first pass: a line none of the patterns could match (most lines) is returned as it is.
_ANY_SECRET = re.compile(r"/(?:r|join)/|pck_|(?i:bearer\s|password|passwd|secret|token|key)")


def redact(text: str) -> str:
    if not _ANY_SECRET.search(text):
        return text
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class SecretRedactingFilter(logging.Filter):
    """Scrubs tokens, API keys and passwords from the formatted message (and the exception text) of
    every record that reaches the console handler, whoever logged it (gunicorn, django.request, ...).

    Our own log lines never carry them (routes, not paths; ids, not values): this is the safety net.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
