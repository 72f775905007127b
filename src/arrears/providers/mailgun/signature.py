"""Mailgun's webhook signature, exactly as Mailgun documents it ("Securing Webhooks"): the hex HMAC-SHA256
of `timestamp` followed by `token` (no separator), keyed with the account's HTTP webhook signing key.

A timestamp outside the tolerance window is refused even when signed: a captured request cannot be
replayed later. Within the window a replay is harmless anyway: the inbox stores each e-mail once.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime


def sign(signing_key: str, timestamp: str, token: str) -> str:
    digest = hmac.new(signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return digest.hexdigest()


def signature_problem(
    signing_key: str,
    timestamp: str | None,
    token: str | None,
    signature: str | None,
    now: datetime,
    tolerance_seconds: int,
) -> str | None:
    """None when Mailgun signed this request recently; else what is wrong (never echoing the values)."""
    if not timestamp or not token or not signature:
        return "timestamp, token and signature are required"
    if not timestamp.isdigit():
        return "timestamp must be seconds since the epoch"
    expected = sign(signing_key, timestamp, token)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode("utf-8", "replace")):
        return "signature does not match timestamp and token"
    if abs(now.timestamp() - int(timestamp)) > tolerance_seconds:
        return f"timestamp is more than {tolerance_seconds} seconds away from our clock"
    return None
