"""Embedded-mode email backend: store messages for the local mailbox page instead of SMTP."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from notifications.models import MailboxMessage


class MailboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = str(content)
            MailboxMessage.objects.create(
                to=", ".join(message.to),
                from_email=message.from_email or "",
                subject=str(message.subject),
                text_body=str(message.body),
                html_body=html,
                headers={key: str(value) for key, value in (message.extra_headers or {}).items()},
            )
            count += 1
        return count
