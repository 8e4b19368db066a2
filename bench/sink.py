"""An in-process SMTP sink (aiosmtpd) that records what arrived and when, and can refuse on purpose.

Used by `make bench` (P7, P8) and the fault drills (tests/drills). Unlike notifications.smtp_sink it
stores nothing in the database: it only notes each message's outbox id (the
`X-Partnercenter-Outbox-Id` header), recipient and arrival time, so it never competes with the
system under test for the database.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

OUTBOX_HEADER = "X-Partnercenter-Outbox-Id"


@dataclass(frozen=True)
class Arrival:
    outbox_id: int | None
    recipients: tuple[str, ...]
    subject: str
    at: float  # time.monotonic() when the DATA command was accepted


@dataclass
class RecordingHandler:
    """Accepts every message unless `refusal` (recipient -> SMTP reply or None) says otherwise."""

    refusal: Callable[[str], str | None] | None = None
    delay_seconds: float = 0.0  # how long DATA takes (a slow relay), so faults can land mid-send
    arrivals: list[Arrival] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    in_data: int = 0  # DATA commands being received right now
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: object, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        reply = self.refusal(address) if self.refusal else None
        if reply:
            with self._lock:
                self.refused.append((address, reply))
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        self.in_data += 1
        try:
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
        finally:
            self.in_data -= 1
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        raw_id = message.get(OUTBOX_HEADER)
        arrival = Arrival(
            outbox_id=int(raw_id) if raw_id and str(raw_id).isdigit() else None,
            recipients=tuple(envelope.rcpt_tos),
            subject=str(message.get("Subject", "")),
            at=time.monotonic(),
        )
        with self._lock:
            self.arrivals.append(arrival)
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[Arrival]:
        with self._lock:
            return list(self.arrivals)

    def count_by_outbox_id(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for arrival in self.snapshot():
            if arrival.outbox_id is not None:
                counts[arrival.outbox_id] = counts.get(arrival.outbox_id, 0) + 1
        return counts


@contextmanager
def smtp_sink(*, port: int, refusal: Callable[[str], str | None] | None = None) -> Iterator[RecordingHandler]:
    """Run a RecordingHandler on 127.0.0.1:`port` for the duration of the block."""
    handler = RecordingHandler(refusal=refusal)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
