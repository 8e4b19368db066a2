"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret.

Header sent with every delivery (docs/webhooks.md has the receiver's verification snippet):

    Partnercenter-Signature: t=1714564800,v1=<hex digest>[,v1=<hex digest with the previous secret>]

The timestamp is the time of this attempt (receivers reject old ones to stop replays); a second
`v1` appears only while a rotated-out secret is still in its grace period.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Partnercenter-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 — a public marker, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(*, secrets_in_use: list[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"] + [f"v1={signature(secret=s, timestamp=timestamp, body=body)}" for s in secrets_in_use]
    return ",".join(parts)
