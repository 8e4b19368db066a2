"""A local SMTP server (aiosmtpd) that files every message it receives into the mailbox.

Used by `make run-full` (and by tests and benchmarks that need a real SMTP peer).
"""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.smtp import Envelope, Session

from notifications.models import MailboxMessage


def _parts(message: EmailMessage) -> tuple[str, str]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else ""
    return text, html


def store_message(raw: bytes, rcpt_tos: list[str], mail_from: str) -> MailboxMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text, html = _parts(message)
    return MailboxMessage.objects.create(
        to=", ".join(rcpt_tos),
        from_email=mail_from,
        subject=str(message.get("Subject", "")),
        text_body=text,
        html_body=html,
        headers={key: str(value) for key, value in message.items() if key.lower().startswith("x-")},
    )


class MailboxHandler:
    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        # The ORM is synchronous: run it off the event loop's thread.
        await asyncio.to_thread(store_message, raw, list(envelope.rcpt_tos), envelope.mail_from or "")
        return "250 Message accepted for delivery"
