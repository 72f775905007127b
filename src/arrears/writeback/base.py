"""What a write-back destination is: something outside (a CRM, a webhook URL, a chat channel) that hears
of domain events, each exactly once as far as it can tell, keyed by the event's id.

A destination sees the event and a snapshot of its case as it stands when the event is delivered (a CRM
wants today's balance, not the one of an hour ago), and answers by returning or by raising
`DeliveryRefused` (never retried: the event goes to the dead letters for a person) or
`DeliveryUnavailable` (retried with backoff and jitter). Any other exception is treated as unavailable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from arrears.feed import FeedEvent


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """The case an event is about, read when the event is delivered (None fields: not known)."""

    case_id: str
    customer_id: str
    customer_external_id: str
    source_system: str
    customer_name: str
    customer_email: str | None
    customer_phone: str | None
    account_external_id: str | None
    status: str  # the case's status (open | closed ...)
    stage: str | None  # the strategy step or collections stage the case is at
    currency: str
    balance_minor: int  # what is still owed now
    recovered_minor: int  # what was paid since the case opened
    days_overdue: int
    promise_due_on: date | None
    promise_amount_minor: int | None
    owner: str | None
    opened_at: datetime


class DeliveryRefused(Exception):
    """The destination refused the event for good (a 4xx other than 408/409/429): a person must look."""


class DeliveryUnavailable(Exception):
    """The destination could not take it now (timeout, 5xx, 429, network): retried later.

    `retry_after`: seconds the destination asked us to wait (Retry-After), when it said."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Destination(Protocol):
    """One place events are written back to. `name` is the cursor's and the ledger's name: stable, unique
    (e.g. "hubspot", "salesforce", "webhook:erp")."""

    name: str

    def accepts(self, kind: str) -> bool:
        """Whether this destination wants events of this kind at all (others pass it by)."""
        ...

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        """Write the event out once; the event's id is the idempotency key on the destination's side."""
        ...


Item = tuple[FeedEvent, CaseSnapshot | None]


@runtime_checkable
class BatchDestination(Destination, Protocol):
    """A destination that takes all of one pass's events at once (Slack: one message per pass, not one per
    task). The batch succeeds or fails as a whole; each event in it is still recorded on its own."""

    def deliver_batch(self, items: Sequence[Item]) -> None:
        """Write every event out in one call; raise as `deliver` does."""
        ...
