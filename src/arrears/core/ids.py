"""Deterministic identifiers: the same inputs always give the same key, so retries collapse."""

from __future__ import annotations

import hashlib
import uuid


def new_id() -> str:
    return uuid.uuid4().hex


def idempotency_key(*parts: object) -> str:
    """A stable key for an outbound action from the facts that define it (case, step, channel, ...)."""
    joined = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:40]
