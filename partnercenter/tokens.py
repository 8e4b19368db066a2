"""Secret tokens for emailed links and API keys: generated with `secrets`, stored only as keyed hashes.

A token is 32 random bytes (256 bits), URL-safe. The database keeps HMAC-SHA256(pepper, token),
so a leaked table does not reveal usable links, and a lookup by hash followed by a constant-time
comparison avoids timing oracles.

Rotating the pepper without invalidating live links (keyed-hash versions): set the new secret in
TOKEN_PEPPER and move the old one to TOKEN_PEPPER_PREVIOUS (a list, newest first). New hashes use
the current pepper; a lookup hashes the presented token with every pepper (`token_hashes`, a
handful of HMACs) and matches any of them; a row found under a previous pepper is rehashed with
the current one on that use (`token_rehash`). Once every row has been used or has expired, the
old pepper can leave the list (docs/operations.md, "Rotating TOKEN_PEPPER").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db.models import Model

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def peppers() -> list[str]:
    """The current pepper first, then the previous ones (newest first), without repeats."""
    current = settings.TOKEN_PEPPER or settings.SECRET_KEY
    result = [current]
    for previous in getattr(settings, "TOKEN_PEPPER_PREVIOUS", []) or []:
        if previous and previous not in result:
            result.append(previous)
    return result


def _hash(pepper: str, token: str) -> str:
    return hmac.new(pepper.encode(), token.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """The hash stored for a new token (current pepper)."""
    return _hash(peppers()[0], token)


def token_hashes(token: str) -> list[str]:
    """The token's hash under each pepper, current first: look rows up with `hash__in=`."""
    return [_hash(pepper, token) for pepper in peppers()]


def token_matches(token: str, stored_hash: str) -> bool:
    """Whether `stored_hash` is the token's hash under any pepper (constant-time per comparison)."""
    matched = False
    for candidate in token_hashes(token):
        matched |= hmac.compare_digest(candidate, stored_hash)
    return matched


# What a lookup that found no row compares the token against: unknown tokens then cost the same
# HMACs and comparison as known ones (no hash of a token is 64 zeros in practice).
NO_ROW_HASH = "0" * 64


def token_row_valid(token: str, row: Model | None) -> bool:
    """Whether `row` (or None: nothing found) holds `token`'s hash and is usable, doing the same work
    in every case (issue 18): the row's `usable` is an annotation computed by the lookup's own SQL,
    never a property evaluated only for rows that exist, and the constant-time comparison always runs.
    """
    stored = getattr(row, "token_hash", NO_ROW_HASH)
    usable = bool(getattr(row, "usable", False))
    return token_matches(token, stored) & usable


def token_rehash(obj: Model, *, field: str, token: str) -> bool:
    """Store the current-pepper hash of `token` in `obj.<field>` if it was hashed with an older pepper.

    A conditional UPDATE (`field` still holding the old hash), so concurrent uses rehash once;
    nothing observable changes (the same token keeps working), as with Django's password hasher
    upgrade on login. `obj` is updated in memory too. Returns whether the row was rewritten.
    """
    stored_hash = getattr(obj, field)
    current = token_hash(token)
    if hmac.compare_digest(current, stored_hash) or not token_matches(token, stored_hash):
        return False
    updated = type(obj)._default_manager.filter(pk=obj.pk, **{field: stored_hash}).update(**{field: current})
    if updated:
        setattr(obj, field, current)
    return updated == 1
