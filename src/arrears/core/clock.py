"""The injected clock: the whole system reads time through it so it can run on simulated time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class StartedClock:
    """Real time, shifted so that it reads `start` at the wall-clock instant `anchor` (default: now), for
    rehearsals at a chosen hour; processes given one start and anchor share one timeline."""

    def __init__(self, start: datetime, anchor: datetime | None = None) -> None:
        self._offset = ensure_utc(start) - (ensure_utc(anchor) if anchor else datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


class SimulatedClock:
    """A clock that only moves when told to; used by the demo, tests and what-if runs."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = ensure_utc(instant)

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


def ensure_utc(value: datetime) -> datetime:
    """Reject naive datetimes: inside the system every instant is aware UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """Interpret a value read back from a database that drops tzinfo (SQLite) as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
