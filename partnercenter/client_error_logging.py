"""An ordinary refusal is not an incident: django.request logs every 403 and 404 with the exception
attached (Django 5: `exc_info=exception`), so each one printed a traceback in the `make run` terminal and
in production logs (issue 22 item 6). This filter keeps the one-line warning ("Forbidden (Permission
denied): /p/…") and drops the traceback for client errors (4xx); 5xx keep theirs."""

from __future__ import annotations

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
