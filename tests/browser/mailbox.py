"""Reading the local mailbox as the address's owner would: the allauth verification code."""

from __future__ import annotations

import re

from notifications.models import MailboxMessage

CODE = re.compile(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", re.MULTILINE)


def verification_code(address: str) -> str:
    """The code in the newest message to `address` (allauth's email verification by code)."""
    message = MailboxMessage.objects.filter(to=address).latest("sent_at")
    match = CODE.search(message.text_body)
    assert match is not None, message.text_body
    return match.group(1)


def enter_verification_code(page, address: str) -> None:  # type: ignore[no-untyped-def]
    """On allauth's code page after sign-up: type the code that reached the mailbox, confirm."""
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    page.locator("input[name=code]").fill(verification_code(address))
    page.locator("main form button[type=submit]").first.click()
