"""What the strategy needs to know about a case: a frozen snapshot the planner builds from stored rows.

It is plain data so the decision can be computed for a million cases without touching the database, and so
a test can state a whole situation in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.core.clock import ensure_utc
from arrears.core.money import is_currency
from arrears.strategy.schema import CustomerKind


class CaseStatus(StrEnum):
    OPEN = "open"  # the automated ladder works it
    HANDED_OFF = "handed_off"  # a team owns it; no automated steps
    PLACED = "placed"  # an outside agency owns it; no automated steps
    SETTLED = "settled"  # paid in full
    CLOSED = "closed"  # closed for any other reason


FINISHED = frozenset({CaseStatus.SETTLED, CaseStatus.CLOSED})
WITH_PEOPLE = frozenset({CaseStatus.HANDED_OFF, CaseStatus.PLACED})


@dataclass(frozen=True, slots=True)
class PromiseView:
    """A pending promise to pay. `promise_id` keys its reminder; without one the date does."""

    due_on: date  # the date the customer promised to pay by, in their own calendar
    amount_minor: int
    promise_id: str | None = None
    made_at: datetime | None = None  # no reminder when the promise was made on or after the reminder day

    @property
    def ref(self) -> str:
        return self.promise_id or self.due_on.isoformat()


@dataclass(frozen=True, slots=True)
class CaseView:
    case_id: str
    customer_id: str
    customer_kind: CustomerKind
    segment: str
    tier: str
    currency: str
    balance_minor: int
    oldest_unpaid_due: date
    time_zone: str  # IANA name, the customer's zone: days past due are counted on their calendar
    broken_promises: int = 0
    completed_step_ids: frozenset[str] = frozenset()
    active_promise: PromiseView | None = None
    active_hold_kinds: frozenset[str] = frozenset()
    agency_placement_allowed: bool = False
    status: CaseStatus = CaseStatus.OPEN
    holds_until: datetime | None = None  # when the last timed hold lapses; None: until lifted by an event
    #: This case's recent messages as (channel, instant), queued ones included: what spacing counts.
    contacts: tuple[tuple[str, datetime], ...] = ()
    #: Days the ladder runs behind the due date: set once when `catch_up: current_step` starts a case late
    #: (a case imported at 45 days past due that started at day 21 runs 24 days behind).
    ladder_shift_days: int = 0
    #: (step id, channel) pairs whose message failed for good (rejected, failed, undelivered, bounced):
    #: a step with fallback channels is planned again on its next one.
    failed_channels: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        if not is_currency(self.currency):
            raise ValueError(f"case {self.case_id}: unknown currency {self.currency!r}")
        if self.broken_promises < 0:
            raise ValueError(f"case {self.case_id}: broken_promises cannot be negative")
        if self.ladder_shift_days < 0:
            raise ValueError(f"case {self.case_id}: ladder_shift_days cannot be negative")
        zone(self.time_zone)
        if self.holds_until is not None:
            ensure_utc(self.holds_until)

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.time_zone)


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """Cached zone lookup; an unknown name is a data error worth stopping for, not a silent UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
