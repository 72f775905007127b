"""Reactions to promises and payments, as pure functions the planner and the event handler share.

A promise pauses the ladder until its date; it is broken only once its date plus the grace days has passed
on the customer's calendar, so a payment that settles a day late (bank transfer) does not count as broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from arrears.strategy.calendar import local_date, start_of_day
from arrears.strategy.case import CaseView, PromiseView
from arrears.strategy.schema import PromiseSettings


class PromiseState(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


def promise_breaks_at(promise: PromiseView, settings: PromiseSettings, zone: ZoneInfo) -> datetime:
    """The first instant at which an unpaid promise counts as broken."""
    return start_of_day(promise.due_on + timedelta(days=settings.grace_days + 1), zone)


def promise_state(
    promise: PromiseView, settings: PromiseSettings, now: datetime, zone: ZoneInfo, paid_since_minor: int = 0
) -> PromiseState:
    """Kept when the payments made since the promise cover its amount; broken after date + grace."""
    if paid_since_minor >= promise.amount_minor:
        return PromiseState.KEPT
    last_day = promise.due_on + timedelta(days=settings.grace_days)
    return PromiseState.BROKEN if local_date(now, zone) > last_day else PromiseState.PENDING


def reminder_window(
    promise: PromiseView, settings: PromiseSettings, zone: ZoneInfo
) -> tuple[date, date] | None:
    """The local days on which the reminder may go out, or None when no reminder is owed.

    The window closes the day before the promise date (or on it, with `reminder_days_before: 0`), so a late
    run still sends a useful reminder but never one after the fact. A promise made inside the window gets
    none: the customer has just said it.
    """
    first = promise.due_on - timedelta(days=settings.reminder_days_before)
    last = max(first, promise.due_on - timedelta(days=1))
    if promise.made_at is not None and local_date(promise.made_at, zone) >= first:
        return None
    return first, last


def reminder_step_id(promise: PromiseView) -> str:
    """The id under which a sent reminder is recorded in completed_step_ids (one per promise)."""
    return f"promise-reminder:{promise.ref}"


def hold_task_step_id(hold_kinds: frozenset[str]) -> str:
    """One task per distinct set of holds: a new kind of hold is new information for the team."""
    return "hold-task:" + "+".join(sorted(hold_kinds))


@dataclass(frozen=True, slots=True)
class PaymentEffect:
    balance_minor: int
    settled: bool  # close the case
    promise_kept: bool
    cancel_pending_outreach: bool  # always: the next plan is made against the new balance


def after_payment(
    case: CaseView, paid_minor: int, paid_since_promise_minor: int | None = None
) -> PaymentEffect:
    """What a received payment does. Pending outreach always stops, because every queued message quotes a
    balance that is now wrong; the planner re-plans from the new balance."""
    if paid_minor <= 0:
        raise ValueError("a payment must be a positive amount")
    balance = max(case.balance_minor - paid_minor, 0)
    promised = case.active_promise
    covered = paid_minor if paid_since_promise_minor is None else paid_since_promise_minor
    kept = promised is not None and (covered >= promised.amount_minor or balance == 0)
    return PaymentEffect(balance, balance == 0, kept, True)
