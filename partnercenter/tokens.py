"""Secret tokens for emailed links: generated with `secrets`, stored only as keyed hashes.

A token is 32 random bytes (256 bits), URL-safe. The database keeps HMAC-SHA256(pepper, token),
so a leaked table does not reveal usable links, and a lookup by hash followed by a constant-time
comparison avoids timing oracles.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _pepper() -> bytes:
    return (settings.TOKEN_PEPPER or settings.SECRET_KEY).encode()


def token_hash(token: str) -> str:
    return hmac.new(_pepper(), token.encode(), hashlib.sha256).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
