"""API keys: `arr_<prefix>_<secret>`, shown once, stored as a SHA-256 hash, checked in constant time.

The prefix is public (it names the key in logs and in the inbox source `api:<prefix>`); the secret has 256
bits of entropy, which is why a fast unsalted hash is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from arrears.store.models import ApiKey

SCOPES = ("events:write", "read", "chat", "work")
_FORMAT = re.compile(r"^arr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough to authorise and to log, never the secret."""

    key_id: str
    prefix: str
    scopes: frozenset[str]


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_key(session: Session, *, name: str, scopes: list[str], now: datetime) -> tuple[ApiKey, str]:
    """Store a new key and return it with the plaintext token, which exists nowhere else afterwards."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(
            f"unknown scopes {unknown}; choose from {', '.join(SCOPES)}" if unknown else "no scope"
        )
    prefix = secrets.token_hex(6)
    token = f"arr_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name, prefix=prefix, key_hash=hash_key(token), scopes=sorted(set(scopes)), created_at=now
    )
    session.add(key)
    session.flush()
    return key, token


def revoke_api_key(session: Session, prefix: str, *, now: datetime) -> bool:
    """Revoke by prefix (what the operator sees); False when no active key has it."""
    key = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))).first()
    if key is None:
        return False
    key.revoked_at = now
    return True


def well_formed(token: str) -> bool:
    return _FORMAT.match(token) is not None


# Built once: the columns a check needs, not the entity (it runs on every request).
_BY_PREFIX = select(ApiKey.id, ApiKey.key_hash, ApiKey.scopes, ApiKey.revoked_at).where(
    ApiKey.prefix == bindparam("prefix")
)


def authenticate(session: Session, token: str) -> Principal | None:
    """The active key this token belongs to, or None; the comparison leaks nothing through timing."""
    match = _FORMAT.match(token)
    if match is None:
        return None
    key = session.execute(_BY_PREFIX, {"prefix": match.group(1)}).one_or_none()
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(token)) or key.revoked_at is not None:
        return None
    return Principal(key.id, match.group(1), frozenset(key.scopes))
