"""A link's token kept in the session, sealed.

Opening `/r/<token>` or `/join/<token>` moves the token into the session and redirects, so it never
sits in the address bar or a Referer. Sessions live in the database (django_session, base64 JSON
that anyone with a copy can decode) for weeks: the token is sealed there with the outbox key
(partnercenter.sealing; not in the database), so a database copy yields no working link (issue 18).
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken

from partnercenter.sealing import seal, unseal


def session_put_token(session: Any, key: str, token: str) -> None:
    session[key] = seal({"token": token})


def session_token(session: Any, key: str) -> str:
    """The token stored under `key`, or "" (none, or not sealed with the current key)."""
    sealed = session.get(key, "")
    if not isinstance(sealed, str) or not sealed:
        return ""
    try:
        token = unseal(sealed).get("token", "")
    except (InvalidToken, ValueError, TypeError):
        return ""
    return token if isinstance(token, str) else ""
