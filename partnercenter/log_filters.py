"""Log record filter adding the current request id (empty outside a request)."""

from __future__ import annotations

import logging

from partnercenter import request_context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_context.current().request_id or "-"
        return True
