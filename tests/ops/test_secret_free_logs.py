"""No token, link, key, password or webhook secret in any log line (issue 18, item 2).

The whole secret flow (tests/secret_flow.py) runs with every logger at DEBUG (SQL statements and their
parameters included), written by handlers built from production's LOGGING (its filters and both its
JSON and plain formatters); every line is searched for every secret the flow created.
"""

from __future__ import annotations

import copy
import io
import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from partnercenter.log_filters import SecretRedactingFilter, redact
from tests.notifications.webhook_receiver import webhook_receiver
from tests.secret_flow import run_secret_flow

# factory_boy (test data only, never in a deployment) logs the arguments of set_password at DEBUG.
TEST_ONLY_LOGGERS = ("factory",)


class ProductionHandlers:
    """The console handler of settings.LOGGING twice over (JSON and plain), writing to memory."""

    def __init__(self) -> None:
        configurator = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
        console = settings.LOGGING["handlers"]["console"]
        self.streams: dict[str, io.StringIO] = {}
        self.handlers: list[logging.Handler] = []
        for formatter_name in ("json", "plain"):
            stream = io.StringIO()
            handler = logging.StreamHandler(stream)
            handler.setLevel(logging.DEBUG)
            for filter_name in console["filters"]:
                spec = dict(settings.LOGGING["filters"][filter_name])
                handler.addFilter(import_string(spec.pop("()"))(**spec))
            handler.addFilter(lambda record: not record.name.startswith(TEST_ONLY_LOGGERS))
            handler.setFormatter(configurator.configure_formatter(copy.deepcopy(settings.LOGGING["formatters"][formatter_name])))
            self.streams[formatter_name] = stream
            self.handlers.append(handler)

    def text(self) -> str:
        return "\n".join(stream.getvalue() for stream in self.streams.values())


@contextmanager
def every_logger_at_debug() -> Iterator[ProductionHandlers]:
    capture = ProductionHandlers()
    root = logging.getLogger()
    loggers = [root, *(logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger))]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if logger is root or not logger.propagate:
            for handler in capture.handlers:
                logger.addHandler(handler)
    connection.force_debug_cursor = True  # django.db.backends logs every statement with its parameters
    try:
        yield capture
    finally:
        connection.force_debug_cursor = False
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            for handler in capture.handlers:
                logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_full_flow_logged_at_debug_by_every_logger_holds_no_token_link_key_password_or_secret(
    partner_a, agreement, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_ALLOW_HTTP = True
    with webhook_receiver() as receiver, every_logger_at_debug() as capture:
        flow = run_secret_flow(partner=partner_a, capture=django_capture_on_commit_callbacks, webhook_url=receiver.url)

    text = capture.text()
    # The lines that used to leak were written: django.request's 404 and 405 warnings (with the
    # request attached), SQL with parameters, our request lines, the tasks' lines.
    for expected in ("Not Found: /r/[redacted]/extra", "Method Not Allowed (HEAD): /r/[redacted]",
                     "Method Not Allowed (HEAD): /join/[redacted]", "django.db.backends", "partnercenter.request",
                     "INSERT INTO"):
        assert expected in text, expected
    assert len(flow.secrets) >= 15, sorted(flow.secrets)
    assert flow.found_in(text) == []


def test_the_filter_cleans_every_attribute_of_a_record_not_only_its_message():
    token = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr"

    class FakeRequest:
        def __repr__(self) -> str:
            return f"<WSGIRequest: HEAD '/r/{token}'>"

    try:
        raise ValueError(f"no route for /join/{token}")
    except ValueError as error:
        exc_info = (type(error), error, error.__traceback__)
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/r/{token}",), exc_info)
    record.request = FakeRequest()
    record.request_id = "-"
    record.extra_dict = {"path": f"/r/{token}", "nested": [f"Bearer pck_{token}"]}
    record.stack_info = f"File x, in view\n    open('/accounts/password/reset/key/4-{token}/')"
    assert SecretRedactingFilter().filter(record)
    for formatter in ("json", "plain"):
        spec = copy.deepcopy(settings.LOGGING["formatters"][formatter])
        line = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING)).configure_formatter(spec).format(record)
        assert token not in line, formatter
        assert "/r/[redacted]" in line
    assert token not in repr(vars(record))


def test_the_redacting_formatters_clean_the_finished_line_whatever_reaches_them():
    token = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), None)
    record.request = f"<WSGIRequest: GET '/r/{token}'>"  # no filter ran: the formatter alone
    record.request_id = "-"
    for formatter in ("json", "plain"):
        spec = copy.deepcopy(settings.LOGGING["formatters"][formatter])
        spec["format"] += " %(request)s"
        line = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING)).configure_formatter(spec).format(record)
        assert token not in line and "[redacted]" in line


def test_redact_leaves_ordinary_lines_alone_and_catches_secrets_of_any_known_format():
    assert redact("GET invitations:list 200 rid=0f2b9c1e4d7a4b0e9c3f2a1b0c9d8e7f") == \
        "GET invitations:list 200 rid=0f2b9c1e4d7a4b0e9c3f2a1b0c9d8e7f"
    assert redact("hash=" + "ab12" * 16) == "hash=" + "ab12" * 16  # a hex digest is no secret
    for secret in ("whsec_abcDEF0123456789abcdef0123", "pck_abcDEF0123456789abcdef0123",
                   "/accounts/confirm-email/MQ:1tabc:xyz/", "Q2xpY2tNZVBsZWFzZTAxMjM0NTY3ODlhYmNkZWZnaGlqaw"):
        assert redact(f"line with {secret} in it") != f"line with {secret} in it", secret
