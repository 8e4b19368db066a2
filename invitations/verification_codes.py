"""The short code a customer can read out to the partner to confirm an invitation is genuine.

code = 6 characters of HMAC-SHA256(server key, "verification-code:<invitation id>:<nonce>"), from
an alphabet without look-alikes (no 0/O, 1/I/L), shown as "ABC-DEF". A keyed one-way hash with
its own purpose label: it reveals nothing about the link token or the key, and only the server
can compute it. It changes with the link (resend draws a new nonce), like the link itself.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from invitations.models import Invitation

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6


def _key() -> bytes:
    secret = settings.TOKEN_PEPPER or settings.SECRET_KEY
    return hashlib.sha256(f"partnercenter-verification-code:{secret}".encode()).digest()


def invitation_verification_code(invitation: Invitation) -> str:
    digest = hmac.new(_key(), f"verification-code:{invitation.pk}:{invitation.token_nonce}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return f"{''.join(chars[:3])}-{''.join(chars[3:])}"
