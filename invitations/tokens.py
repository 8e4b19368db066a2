"""Invitation link tokens: derived, never stored.

token = base64url(HMAC-SHA256(server key, "<purpose>:<row id>:<nonce>")) — 256 bits. The row keeps
the random nonce and HMAC(pepper, token) for lookup. Only the server can derive the token (the
key is not in the database), so the partner can see its link again on the draft page and reminder
emails can carry it, yet a database copy yields no working link. Rotation = a new nonce.

The derivation key comes from the token pepper, so it has versions too (partnercenter.tokens):
new links derive from the current pepper; a link issued before a pepper rotation keeps the token
its email carried — `derive_token(..., stored_hash=row.token_hash)` finds the pepper version whose
token matches the row, so the draft page and reminders show that same link, not a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from partnercenter.tokens import peppers, token_hash, token_matches


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def _derivation_key(secret: str) -> bytes:
    return hashlib.sha256(f"partnercenter-link-derivation:{secret}".encode()).digest()


def _derive(secret: str, *, purpose: str, row_id: int, nonce: str) -> str:
    message = f"{purpose}:{row_id}:{nonce}".encode()
    digest = hmac.new(_derivation_key(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def derive_token(*, purpose: str, row_id: int, nonce: str, stored_hash: str | None = None) -> str:
    """The row's link token: from the current pepper, or, given the row's `stored_hash`, from the
    pepper version that issued it (the token already emailed)."""
    versions = peppers()
    if stored_hash:
        for secret in versions:
            token = _derive(secret, purpose=purpose, row_id=row_id, nonce=nonce)
            if token_matches(token, stored_hash):
                return token
    return _derive(versions[0], purpose=purpose, row_id=row_id, nonce=nonce)


def derived_hash(*, purpose: str, row_id: int, nonce: str) -> str:
    return token_hash(derive_token(purpose=purpose, row_id=row_id, nonce=nonce))
