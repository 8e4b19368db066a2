"""gunicorn's own log lines without secrets (`logger_class` in deploy/gunicorn.conf.py).

gunicorn logs through its loggers `gunicorn.error` and `gunicorn.access`, whose handlers it makes
itself (not Django's LOGGING): "Error handling request /r/<token>" goes to the first, and the access
log, when someone turns it on (`--access-logfile`, GUNICORN_CMD_ARGS), writes raw request lines to
the second. This logger class puts the secret-redacting filter on every handler of both, after
every (re)configuration, and formats its lines with the redacting formatter.
"""

from __future__ import annotations

import logging

from gunicorn.glogging import Logger

from partnercenter.log_filters import SecretRedactingFilter, redact


class RedactingGunicornLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, SecretRedactingFilter) for f in handler.filters):
                    handler.addFilter(SecretRedactingFilter())

    def _set_handler(self, log, output, fmt, stream=None) -> None:
        super()._set_handler(log, output, _Redacting(fmt), stream=stream)


class _Redacting(logging.Formatter):
    """Wraps gunicorn's formatter: same line, redacted."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))
