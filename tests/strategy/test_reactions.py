"""Reactions: a promise pauses the ladder with a reminder before it; a broken one moves the case on;
holds stop contact and open one task; a payment stops outreach and settles the case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from arrears.strategy import (
    ActionKind,
    CaseView,
    Channel,
    PauseReason,
    PromiseState,
    PromiseView,
    after_payment,
    next_actions,
    promise_state,
    start_of_day,
)
from tests.strategy.helpers import DUE, case, fed_back, local, replaying, shipped

CONSUMER = shipped("consumer-overdue")
PARIS = ZoneInfo("Europe/Paris")
PROMISED_ON = date(2024, 3, 15)
PROMISE = PromiseView(PROMISED_ON, 50_000, promise_id="p-1", made_at=local(date(2024, 3, 9)))
WORKED = frozenset({"reminder-email", "payment-link-sms", "first-call"})


def _promised(**overrides: Any) -> CaseView:
    return case(**{"active_promise": PROMISE, "completed_step_ids": WORKED, **overrides})


def test_promise_pauses_the_ladder_until_the_reminder() -> None:
    plan = next_actions(
        CONSUMER, _promised(), local(date(2024, 3, 12))
    )  # day 11: follow-up-email would be due
    assert plan.actions == () and plan.paused_by is PauseReason.PROMISE
    assert plan.wake_at == start_of_day(date(2024, 3, 14), PARIS)


def test_reminder_the_day_before_then_wait_for_date_plus_grace() -> None:
    view = _promised()
    plan = next_actions(CONSUMER, view, local(date(2024, 3, 14), hour=8))
    [reminder] = plan.actions
    assert reminder.kind is ActionKind.PROMISE_REMINDER and reminder.channel is Channel.SMS
    assert (reminder.step_id, reminder.template) == ("promise-reminder:p-1", "consumer/promise-reminder")
    view = fed_back(view, plan)
    breaks_at = start_of_day(PROMISED_ON + timedelta(days=CONSUMER.promise.grace_days + 1), PARIS)
    for day in (14, 15, 16, 17):  # the reminder once; the date itself and two grace days: quiet
        later = next_actions(CONSUMER, view, local(date(2024, 3, day), hour=20))
        assert later.actions == () and later.wake_at == breaks_at and later.promise_broken is None


def test_no_reminder_after_the_fact_or_for_a_promise_made_inside_the_window() -> None:
    on_the_day = next_actions(CONSUMER, _promised(), local(PROMISED_ON))
    assert on_the_day.actions == ()
    fresh = replace(PROMISE, made_at=local(date(2024, 3, 14), hour=9))
    plan = next_actions(CONSUMER, _promised(active_promise=fresh), local(date(2024, 3, 14), hour=11))
    assert plan.actions == () and plan.wake_at == start_of_day(date(2024, 3, 18), PARIS)


def test_broken_promise_moves_the_case_on_in_the_same_plan() -> None:
    plan = next_actions(CONSUMER, _promised(), local(date(2024, 3, 18)))  # 15th + 2 grace days passed
    assert plan.promise_broken == PROMISE
    assert plan.paused_by is None
    # Planned as if broken_promises were already 1: the broken-promise call first; the steps the pause
    # held follow a day apart each (they are late), and nothing is skipped: the case was worked.
    assert [a.step_id for a in plan.actions] == ["broken-promise-call"] and plan.passed_over == ()
    assert plan.wake_at == local(date(2024, 3, 19))
    assert "large-balance-review" in plan.skipped  # 1,200.00 EUR is below the band
    replayed = next_actions(replaying(CONSUMER), _promised(), local(date(2024, 3, 18)))
    assert [a.step_id for a in replayed.actions] == ["broken-promise-call", "follow-up-email", "second-call"]


def test_second_broken_promise_escalates_to_people() -> None:
    done = WORKED | {"broken-promise-call", "follow-up-email", "second-call"}
    view = case(active_promise=PROMISE, broken_promises=1, completed_step_ids=done)
    plan = next_actions(CONSUMER, view, local(date(2024, 3, 19)))
    [handoff] = plan.actions
    assert (handoff.kind, handoff.step_id, handoff.team) == (
        ActionKind.HANDOFF,
        "repeat-broken-escalation",
        "collections",
    )
    assert plan.wake_at is None


def test_promise_state() -> None:
    settings = CONSUMER.promise
    assert promise_state(PROMISE, settings, local(date(2024, 3, 17), 23), PARIS) is PromiseState.PENDING
    assert promise_state(PROMISE, settings, local(date(2024, 3, 18), 0), PARIS) is PromiseState.BROKEN
    assert promise_state(PROMISE, settings, local(date(2024, 3, 20)), PARIS, 50_000) is PromiseState.KEPT


def test_hold_stops_contact_and_opens_one_task() -> None:
    view = case(active_hold_kinds=frozenset({"dispute"}))
    late = local(DUE + timedelta(days=10))
    plan = next_actions(CONSUMER, view, late)
    [task] = plan.actions
    assert (task.kind, task.channel, task.team, task.template) == (
        ActionKind.TASK,
        Channel.TASK,
        "collections",
        "consumer/hold-review",
    )
    assert plan.paused_by is PauseReason.HOLD and plan.wake_at is None
    view = fed_back(view, plan)
    assert next_actions(CONSUMER, view, late + timedelta(days=3)).actions == ()
    # A new kind of hold is new information: one more task.
    worse = replace(view, active_hold_kinds=frozenset({"dispute", "hardship"}))
    assert [a.step_id for a in next_actions(CONSUMER, worse, late).actions] == ["hold-task:dispute+hardship"]
    # Lifted before the ladder ever reached the customer: it starts at the step of the day (its hold
    # task does not make it a worked case), the earlier ones skipped ...
    lifted = replace(view, active_hold_kinds=frozenset())
    plan = next_actions(CONSUMER, lifted, late)
    assert [a.step_id for a in plan.actions] == ["follow-up-email"]
    assert [p.step_id for p in plan.passed_over] == ["reminder-email", "payment-link-sms", "first-call"]
    # ... or, replaying (`all_at_once` without spacing), catches up from where it stood.
    assert [a.step_id for a in next_actions(replaying(CONSUMER), lifted, late).actions][:2] == [
        "reminder-email",
        "payment-link-sms",
    ]


def test_hold_wakes_when_a_timed_hold_lapses() -> None:
    until = datetime(2024, 4, 1, 12, tzinfo=UTC)
    view = case(active_hold_kinds=frozenset({"hardship"}), holds_until=until)
    assert next_actions(CONSUMER, view, local(DUE + timedelta(days=3))).wake_at == until
    assert next_actions(CONSUMER, view, until + timedelta(hours=1)).wake_at is None  # never in the past


def test_hold_with_promise_still_tracks_the_promise() -> None:
    view = _promised(active_hold_kinds=frozenset({"vulnerable"}))
    plan = next_actions(CONSUMER, view, local(date(2024, 3, 14)))
    assert [a.kind for a in plan.actions] == [ActionKind.TASK]  # no reminder: no contact at all
    assert plan.wake_at == start_of_day(date(2024, 3, 18), PARIS)
    broken = next_actions(CONSUMER, view, local(date(2024, 3, 18)))
    assert broken.promise_broken == PROMISE and [a.kind for a in broken.actions] == [ActionKind.TASK]


def test_payment_stops_outreach_and_settles() -> None:
    view = _promised(balance_minor=50_000)
    effect = after_payment(view, 20_000)
    assert (effect.balance_minor, effect.settled, effect.promise_kept) == (30_000, False, False)
    assert effect.cancel_pending_outreach
    full = after_payment(view, 60_000)
    assert (full.balance_minor, full.settled, full.promise_kept) == (0, True, True)
    assert after_payment(view, 20_000, paid_since_promise_minor=50_000).promise_kept
    with pytest.raises(ValueError):
        after_payment(view, 0)
