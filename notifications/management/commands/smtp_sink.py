from __future__ import annotations

import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand

from notifications.smtp_sink import MailboxHandler


class Command(BaseCommand):
    help = "Run a local SMTP server that stores received mail in the mailbox page."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args: Any, **options: Any) -> None:
        controller = Controller(MailboxHandler(), hostname=options["host"], port=options["port"])
        controller.start()
        self.stdout.write(f"SMTP sink listening on {options['host']}:{options['port']}; mail goes to /mailbox/")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        controller.stop()
