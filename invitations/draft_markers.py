"""Live values in a stored invitation draft (issue 21, item 2).

The draft is stored with markers in place of the values that change after it is written: the
link (a resend issues a new one) and the expiry date (a resend moves it). The partner edits the
draft with the live values in it; storing turns them back into markers, and every email and page
fills them in from the invitation as it is now, so a resent email says the new date everywhere.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import TYPE_CHECKING

from django.utils import formats, translation

if TYPE_CHECKING:
    from invitations.models import Invitation

EXPIRY_MARKER = "[[invitation-expires-on]]"


def expires_on(invitation: Invitation) -> str:
    """The expiry date as the invitation's language writes dates on pages ("5 Jan 2027", 「2027年1月5日」)."""
    with translation.override(invitation.language):
        return formats.date_format(invitation.expires_at.astimezone(UTC).date(), "DATE_FORMAT")


def fill_expiry(text: str, invitation: Invitation) -> str:
    """The stored text with the invitation's current expiry date in place of the marker."""
    return text.replace(EXPIRY_MARKER, expires_on(invitation))


def mark_expiry(text: str, invitation: Invitation) -> str:
    """The text to store: the invitation's current expiry date (as the draft showed it) becomes the marker."""
    # Drafts stored before the dates were written per language carry the ISO date: it follows too.
    # "6 Jan 2027" must not match inside "16 Jan 2027": the date stands on its own.
    for written in (expires_on(invitation), invitation.expires_at.astimezone(UTC).date().isoformat()):
        text = re.sub(rf"(?<!\d){re.escape(written)}", EXPIRY_MARKER, text)
    return text
