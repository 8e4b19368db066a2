"""Invitation link tokens: derived, never stored.

token = base64url(HMAC-SHA256(server key, "<purpose>:<row id>:<nonce>")) — 256 bits. The row keeps
the random nonce and HMAC(pepper, token) for lookup. Only the server can derive the token (the
key is not in the database), so the partner can see its link again on the draft page and reminder
emails can carry it, yet a database copy yields no working link. Rotation = a new nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

from partnercenter.tokens import token_hash


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def _derivation_key() -> bytes:
    secret = settings.TOKEN_PEPPER or settings.SECRET_KEY
    return hashlib.sha256(f"partnercenter-link-derivation:{secret}".encode()).digest()


def derive_token(*, purpose: str, row_id: int, nonce: str) -> str:
    digest = hmac.new(_derivation_key(), f"{purpose}:{row_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def derived_hash(*, purpose: str, row_id: int, nonce: str) -> str:
    return token_hash(derive_token(purpose=purpose, row_id=row_id, nonce=nonce))
