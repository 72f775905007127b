"""When a failed delivery is tried again: exponential backoff with full jitter, seeded by the event.

Full jitter (a uniform draw below the exponential ceiling) spreads many failed events over the window so a
destination that comes back is not hit by all of them at once; seeding the draw with the event id and the
attempt makes every schedule reproducible (tests, and two workers computing the same answer)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8  # failed attempts after which an event is dead
    base_seconds: float = 30.0  # the first retry's ceiling
    cap_seconds: float = 6 * 3600.0  # no retry waits longer than this (unless the destination asks)


def retry_delay(policy: RetryPolicy, event_id: str, attempts: int, retry_after: float | None) -> float:
    """Seconds to wait after the `attempts`-th failure; never less than the destination's Retry-After."""
    ceiling = min(policy.cap_seconds, policy.base_seconds * 2 ** max(attempts - 1, 0))
    jittered = random.Random(f"{event_id}:{attempts}").uniform(0.0, ceiling)
    return max(jittered, retry_after or 0.0)


def next_attempt(
    policy: RetryPolicy, event_id: str, attempts: int, retry_after: float | None, now: datetime
) -> datetime | None:
    """When to try again, or None when the attempts are spent (the event is dead)."""
    if attempts >= policy.max_attempts:
        return None
    return now + timedelta(seconds=retry_delay(policy, event_id, attempts, retry_after))
