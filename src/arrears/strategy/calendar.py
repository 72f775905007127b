"""Days on the customer's calendar: "day 7" means the seventh local day after the due date.

Counting from the due date at the instant of planning (rather than counting runs) is what makes a late or
missed run catch up: the answer depends only on the date, never on how often the planner looked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from arrears.core.clock import ensure_utc


def local_date(now: datetime, zone: ZoneInfo) -> date:
    return ensure_utc(now).astimezone(zone).date()


def days_past_due(due: date, now: datetime, zone: ZoneInfo) -> int:
    """Negative before the due date, 0 on it, 1 the next local day."""
    return (local_date(now, zone) - due).days


@lru_cache(maxsize=65536)
def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the local date is `day` (local midnight, or just after a DST gap).

    Cached: a planning batch asks for the same few (day, zone) pairs thousands of times.
    """
    instant = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    # A zone that skips midnight can make the naive conversion land on the day before; step forward.
    while instant.astimezone(zone).date() < day:
        instant += timedelta(minutes=15)
    while (instant - timedelta(minutes=15)).astimezone(zone).date() >= day:
        instant -= timedelta(minutes=15)
    return instant


def day_start(due: date, day: int, zone: ZoneInfo) -> datetime:
    """When a step keyed on `day` days past due becomes due."""
    return start_of_day(due + timedelta(days=day), zone)
