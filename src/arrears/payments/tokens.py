"""Signed tokens for the URLs a customer receives: they name a random link id or an outbox key, never a
case, a customer or an amount, and a forged or altered one fails the HMAC-SHA256 check."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

#: 96 bits: forging one by guessing online is out of reach, and a text keeps its characters for words (a
#: pay URL is about 75 characters, so a text with New York City's disclosures still fits two segments).
_SIG_BYTES = 12
_LINK_ID = re.compile(r"^[0-9a-f]{32}$")
_BASE36 = re.compile(r"^[0-9a-z]{1,8}$")


@dataclass(frozen=True, slots=True)
class PayToken:
    link_id: str
    expires_at: datetime


class TokenInvalid(ValueError):
    """Not a token this deployment signed (or altered since)."""


class TokenExpired(ValueError):
    """A genuine token whose link has expired."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TokenInvalid("not base64url") from None


def _sign(key: bytes, purpose: str, body: str) -> str:
    return _b64(hmac.new(key, f"{purpose}\x1f{body}".encode(), hashlib.sha256).digest()[:_SIG_BYTES])


def _checked(key: bytes, purpose: str, token: str) -> str:
    body, dot, signature = token.rpartition(".")
    if not dot or not body or not hmac.compare_digest(signature, _sign(key, purpose, body)):
        raise TokenInvalid("signature does not match")
    return body


def pay_token(key: bytes, link_id: str, expires_at: datetime) -> str:
    """`<link id, base64url>.<expiry, unix seconds in base 36>.<signature>`: compact, for texts."""
    if not _LINK_ID.match(link_id):
        raise ValueError(f"a link id is 32 hex digits, got {link_id!r}")
    body = f"{_b64(bytes.fromhex(link_id))}.{_base36(int(expires_at.timestamp()))}"
    return f"{body}.{_sign(key, 'pay', body)}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def read_pay_token(key: bytes, token: str, now: datetime) -> PayToken:
    """The link a token names; TokenInvalid when forged, TokenExpired when genuine but past its expiry."""
    encoded, _, seconds = _checked(key, "pay", token).partition(".")
    link_id = _unb64(encoded).hex()
    if not _LINK_ID.match(link_id) or not _BASE36.match(seconds):
        raise TokenInvalid("malformed")
    expires_at = datetime.fromtimestamp(int(seconds, 36), UTC)
    if now >= expires_at:
        raise TokenExpired(link_id)
    return PayToken(link_id, expires_at)


def unsubscribe_token(key: bytes, idempotency_key: str) -> str:
    """`<outbox key, base64url>.<signature>`: no expiry (an old e-mail's unsubscribe must still work)."""
    body = _b64(idempotency_key.encode())
    return f"{body}.{_sign(key, 'unsubscribe', body)}"


def read_unsubscribe_token(key: bytes, token: str) -> str:
    """The outbox key a token names; TokenInvalid when forged."""
    try:
        return _unb64(_checked(key, "unsubscribe", token)).decode()
    except UnicodeDecodeError:  # pragma: no cover - signed bodies are always our own UTF-8
        raise TokenInvalid("malformed") from None
