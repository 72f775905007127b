"""Standard Webhooks signatures (https://www.standardwebhooks.com): what the receiver's library verifies.

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; each secret gives one `v1,<base64 HMAC-
SHA256>`, space-separated, so a receiver holding either the new or the old secret accepts the message while
a secret is being rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence


def signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def signed_headers(keys: Sequence[bytes], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of a Standard Webhooks message, signed with every key given."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(k, msg_id, timestamp, body) for k in keys),
    }
