"""Live values in a stored invitation draft (issue 21, item 2).

The draft is stored with markers in place of the values that change after it is written: the
link (a resend issues a new one) and the expiry date (a resend moves it). The partner edits the
draft with the live values in it; storing turns them back into markers, and every email and page
fills them in from the invitation as it is now, so a resent email says the new date everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from invitations.models import Invitation

EXPIRY_MARKER = "[[invitation-expires-on]]"


def expires_on(invitation: Invitation) -> str:
    return invitation.expires_at.date().isoformat()


def fill_expiry(text: str, invitation: Invitation) -> str:
    """The stored text with the invitation's current expiry date in place of the marker."""
    return text.replace(EXPIRY_MARKER, expires_on(invitation))


def mark_expiry(text: str, invitation: Invitation) -> str:
    """The text to store: the invitation's current expiry date (as the draft showed it) becomes the marker."""
    return text.replace(expires_on(invitation), EXPIRY_MARKER)
