"""Seal secrets at rest: outbox bodies, stored API responses, session-held tokens (Fernet: AES-128-CBC + HMAC-SHA256).

Email bodies can carry links with live tokens; the tokens themselves are stored only as hashes,
so the one place a usable link exists until delivery is the outbox row. Sealing it with a key
that is not in the database keeps a database dump from yielding working links.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    secret = settings.OUTBOX_SEALING_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(f"partnercenter-outbox:{secret}".encode()).digest())
    return Fernet(key)


def seal(payload: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(payload).encode()).decode()


def unseal(sealed: str) -> dict[str, Any]:
    return json.loads(_fernet().decrypt(sealed.encode()))
