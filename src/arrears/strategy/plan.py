"""The pure decision: given a strategy, a case and an instant, what is due now and when to look again.

The answer depends only on its arguments. Steps are keyed on days past due counted from the due date on the
customer's calendar, so a planner that ran late, or not at all for a week, knows every step whose day has
come and that is not yet in `completed_step_ids`; the strategy's `catch_up` says which of them a case
planned late gets (a fresh import starts at its current step), its `spacing` how many may leave now, and
each action carries a deterministic key so that planning the same case twice can never send twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from arrears.core.clock import ensure_utc
from arrears.strategy.actions import Action as Action
from arrears.strategy.actions import ActionKind as ActionKind
from arrears.strategy.actions import OfferTerms as OfferTerms
from arrears.strategy.actions import action_key as action_key
from arrears.strategy.calendar import day_start, local_date, start_of_day
from arrears.strategy.case import FINISHED, WITH_PEOPLE, CaseView, PromiseView
from arrears.strategy.conditions import matches
from arrears.strategy.fallback import Retry, retries
from arrears.strategy.reactions import (
    PromiseState,
    hold_task_step_id,
    promise_breaks_at,
    promise_state,
    reminder_step_id,
    reminder_window,
)
from arrears.strategy.schema import Channel, Placement, Priority, Step, Strategy, Tone
from arrears.strategy.spacing import spaced_until


class PauseReason(StrEnum):
    PROMISE = "promise"
    HOLD = "hold"
    WITH_PEOPLE = "with_people"


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A step catch-up skipped for good: record it (where people look) and treat it as completed."""

    step_id: str
    channel: Channel
    day: int
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    actions: tuple[Action, ...] = ()
    wake_at: datetime | None = None  # next instant the case needs planning; None: only an event wakes it
    close: bool = False  # balance is zero: close the case as settled
    promise_broken: PromiseView | None = None  # record it broken; broken_promises + 1 (already planned so)
    paused_by: PauseReason | None = None
    skipped: tuple[str, ...] = ()  # steps whose day has come but whose conditions do not match (explanation)
    days_past_due: int | None = None
    passed_over: tuple[PassedOver, ...] = ()  # skipped by `catch_up: current_step`: record, complete
    #: Set when `current_step` starts a fresh case: store it, so later steps keep the ladder's cadence
    #: from the step it started at (CaseView.ladder_shift_days).
    ladder_shift_days: int | None = None
    #: Spacing held back a due message because of an earlier one in this plan: if that earlier one does not
    #: go (refused), planning again at once lets the held one go.
    held_back: bool = False


def next_actions(strategy: Strategy, case: CaseView, now: datetime) -> Plan:
    """Everything due for `case` at `now`, in order, and when to plan it next. See docs/strategies.md."""
    now = ensure_utc(now)
    if case.status in FINISHED:
        return Plan()
    if case.balance_minor <= 0:
        return Plan(close=True)
    zone = case.zone
    today = local_date(now, zone)
    dpd = (today - case.oldest_unpaid_due).days

    broken: PromiseView | None = None
    promise = case.active_promise
    if promise is not None and promise_state(promise, strategy.promise, now, zone) is PromiseState.BROKEN:
        # Broken: plan on as the planner will store it, so the case moves on in this very plan.
        broken = promise
        case = replace(case, active_promise=None, broken_promises=case.broken_promises + 1)
        promise = None
    promise_wake = promise_breaks_at(promise, strategy.promise, zone) if promise is not None else None

    if case.active_hold_kinds:
        task = _hold_task(strategy, case, now)
        lapses = case.holds_until if case.holds_until is not None and case.holds_until > now else None
        return Plan(
            task,
            _earliest(lapses, promise_wake),
            promise_broken=broken,
            paused_by=PauseReason.HOLD,
            days_past_due=dpd,
        )
    if case.status in WITH_PEOPLE:
        return Plan(
            wake_at=promise_wake, promise_broken=broken, paused_by=PauseReason.WITH_PEOPLE, days_past_due=dpd
        )
    if promise is not None:
        actions, wake = _promise_pause(strategy, case, today)
        return Plan(actions, _earliest(wake, promise_wake), paused_by=PauseReason.PROMISE, days_past_due=dpd)
    start = _start_day(strategy, case, dpd)
    if start is not None and dpd != start:
        case = replace(case, ladder_shift_days=dpd - start)
    due, wake, skipped, passed_over = _ladder(strategy, case, today, dpd, start)
    due = [_retry_action(strategy, case, retry, today) for retry in retries(strategy, case)] + due
    actions, wake = _spaced(strategy, case, due, wake, now)
    return Plan(
        actions,
        wake,
        held_back=len(actions) < len(due),
        promise_broken=broken,
        skipped=skipped,
        days_past_due=dpd,
        passed_over=passed_over,
        ladder_shift_days=case.ladder_shift_days if start is not None else None,
    )


def _ladder(
    strategy: Strategy, case: CaseView, today: date, dpd: int, start: int | None
) -> tuple[list[Action], datetime | None, tuple[str, ...], tuple[PassedOver, ...]]:
    """Due steps in order; a step that does not match is skipped (it neither fires nor delays the rest).

    Steps are compared with the case's ladder day: its days past due less the shift a late start set,
    so the steps after the one a case started at keep their spacing from it.
    """
    zone = case.zone
    done = case.completed_step_ids
    actions: list[Action] = []
    skipped: list[str] = []
    passed: list[PassedOver] = []
    base = ladder_base(case)
    real_dpd, dpd = dpd, dpd - case.ladder_shift_days
    paced = strategy.catch_up == "one_day_at_a_time"
    fired_day: int | None = None  # the ladder day whose messages this pass sends (paced catch-up)
    wake: datetime | None = None
    for step in strategy.ordered_steps:
        if step.id in done:
            if step.stage is not None:
                break  # with people now: the ladder has ended
            continue
        action_kind = _kind(step, case)
        if action_kind is None or not matches(step.conditions, case):
            if step.day <= dpd:
                skipped.append(step.id)
            continue
        if step.day > dpd:
            wake = day_start(base, step.day, zone)
            break
        if start is not None and step.day < start and _skippable(step):
            why = f"catch-up: case first planned at {real_dpd} days past due; started at day {start}"
            passed.append(PassedOver(step.id, step.channel, step.day, why))
            continue
        if paced and (step.day != fired_day if fired_day is not None else _caught_up_today(case, today)):
            # One ladder day per calendar day: the next missed day waits for tomorrow.
            wake = start_of_day(today + timedelta(days=1), zone)
            break
        if step.channel is not Channel.TASK:  # pacing is about messages; a person's task does not count
            fired_day = step.day
        actions.append(_step_action(strategy, case, step, action_kind, today))
        if step.stage is not None:
            break
    return actions, wake, tuple(skipped), tuple(passed)


def _caught_up_today(case: CaseView, today: date) -> bool:
    """Paced catch-up planned again the same day (an event woke the case): a case that had a message
    today waits for tomorrow, so one calendar day never gets two ladder days."""
    return any(local_date(at, case.zone) == today for _, at in case.contacts)


def ladder_base(case: CaseView) -> date:
    """Day zero of the case's ladder: the oldest unpaid due date, moved by a late start's shift."""
    return case.oldest_unpaid_due + timedelta(days=case.ladder_shift_days)


def _start_day(strategy: Strategy, case: CaseView, dpd: int) -> int | None:
    """The ladder day a case starts at under `current_step`, or None: no step is skipped.

    Only a case the ladder has not touched yet (no completed ladder step: a fresh import, a case opened
    late, one held since before its first step; a hold's task or a promise reminder does not count)
    starts, at the latest day with a message that has come; a case already worked that the planner could
    not reach for a while keeps its missed steps, which spacing then sends a day apart.

    The start is a message, never a hand-off: a case nobody has written to is written to first, and the
    ladder's later steps (a hand-off to people included) follow it at the ladder's own intervals.
    """
    done = case.completed_step_ids
    if strategy.catch_up != "current_step" or (done and any(s.id in done for s in strategy.steps)):
        return None
    days = [
        step.day
        for step in strategy.ordered_steps
        if step.day <= dpd
        and step.channel is not Channel.TASK
        and _skippable(step)
        and _kind(step, case) is not None
        and matches(step.conditions, case)
    ]
    return max(days) if days else None


def _skippable(step: Step) -> bool:
    """Catch-up skips contacts and stage moves of earlier days; it keeps a person's review tasks (nobody
    is contacted by them) and steps reacting to a broken promise (they answer an event, not a day)."""
    if step.conditions.broken_promises is not None:
        return False
    return step.channel is not Channel.TASK or step.stage is not None


def _spaced(
    strategy: Strategy, case: CaseView, due: list[Action], wake: datetime | None, now: datetime
) -> tuple[tuple[Action, ...], datetime | None]:
    """The due actions that may leave now under the strategy's spacing, in ladder order; the first that
    may not holds back the rest (the ladder keeps its order) and sets the wake to when it may."""
    sent = list(case.contacts)
    kept: list[Action] = []
    for action in due:
        if action.kind is ActionKind.CONTACT:
            until = spaced_until(strategy.spacing, action.channel.value, sent, now, late=action.late)
            if until is not None:
                return tuple(kept), _earliest(until, wake)
            sent.append((action.channel.value, now))
        kept.append(action)
    return tuple(kept), wake


def _kind(step: Step, case: CaseView) -> ActionKind | None:
    """None when the step cannot run for this case (a placement the account does not allow, no fallback)."""
    if isinstance(step.stage, Placement):
        if case.agency_placement_allowed:
            return ActionKind.PLACEMENT
        return ActionKind.HANDOFF if step.stage.fallback_team is not None else None
    if step.stage is not None:
        return ActionKind.HANDOFF
    return ActionKind.TASK if step.channel is Channel.TASK else ActionKind.CONTACT


def _step_action(strategy: Strategy, case: CaseView, step: Step, kind: ActionKind, today: date) -> Action:
    base_day = ladder_base(case)
    due_at = day_start(base_day, step.day, case.zone)
    reason = f"day {step.day} step {step.id!r}: {(today - case.oldest_unpaid_due).days} days past due"
    if case.ladder_shift_days:
        reason += f" (ladder started late: day 0 taken as {base_day.isoformat()})"
    base = Action(
        action_key(case, strategy, step.id, step.channel),
        kind,
        step.id,
        step.channel,
        step.template,
        step.tone,
        due_at,
        reason,
        offer=_price_offer(step, case, today),
        payment_link=step.payment_link,
        late=step.day < (today - base_day).days,
        fallbacks=step.fallback_channels,
        step_channel=step.channel if step.fallback_channels else None,
    )
    stage = step.stage
    if kind is ActionKind.PLACEMENT and isinstance(stage, Placement):
        return replace(base, agency=stage.agency, priority=stage.priority)
    if kind is ActionKind.HANDOFF and stage is not None:
        team = stage.fallback_team if isinstance(stage, Placement) else stage.team
        why = "; placement not allowed for this account" if isinstance(stage, Placement) else ""
        return replace(base, team=team, priority=stage.priority, reason=reason + why)
    if kind is ActionKind.TASK:
        return replace(base, team=strategy.default_team, priority=Priority.NORMAL)
    return base


def _retry_action(strategy: Strategy, case: CaseView, retry: Retry, today: date) -> Action:
    """The step again on its next fallback channel: a new key (it names the channel), spaced as usual."""
    base = _step_action(strategy, case, retry.step, ActionKind.CONTACT, today)
    return replace(
        base,
        action_key=action_key(case, strategy, retry.step.id, retry.channel),
        channel=retry.channel,
        fallbacks=retry.rest,
        reason=retry.reason,
        late=False,
    )


def _price_offer(step: Step, case: CaseView, today: date) -> OfferTerms | None:
    offer = step.offer
    if offer is None:
        return None
    if offer.discount_bps is not None:
        discount = case.balance_minor * offer.discount_bps // 10_000  # round down: never promise more
    else:
        # Validation guarantees the step only matches currencies the fixed discount is priced in.
        discount = (offer.discount_minor or {}).get(case.currency, 0)
    discount = min(discount, case.balance_minor)
    if discount <= 0:
        return None
    return OfferTerms(
        case.currency,
        discount,
        case.balance_minor - discount,
        today + timedelta(days=offer.valid_days),
        offer.discount_bps,
    )


def _promise_pause(
    strategy: Strategy, case: CaseView, today: date
) -> tuple[tuple[Action, ...], datetime | None]:
    """While a promise stands the ladder waits; the only contact is the reminder before its date."""
    promise = case.active_promise
    assert promise is not None
    settings = strategy.promise
    window = reminder_window(promise, settings, case.zone)
    step_id = reminder_step_id(promise)
    if window is None or step_id in case.completed_step_ids or today > window[1]:
        return (), None
    first, _ = window
    start = start_of_day(first, case.zone)
    if today < first:
        return (), start
    action = Action(
        action_key(case, strategy, step_id, settings.reminder_channel, promise.ref),
        ActionKind.PROMISE_REMINDER,
        step_id,
        settings.reminder_channel,
        settings.reminder_template,
        Tone.FRIENDLY,
        start,
        f"promise of {promise.amount_minor} {case.currency} due {promise.due_on.isoformat()}",
    )
    return (action,), None


def _hold_task(strategy: Strategy, case: CaseView, now: datetime) -> tuple[Action, ...]:
    step_id = hold_task_step_id(case.active_hold_kinds)
    if step_id in case.completed_step_ids:
        return ()
    kinds = ", ".join(sorted(case.active_hold_kinds))
    return (
        Action(
            action_key(case, strategy, step_id, Channel.TASK),
            ActionKind.TASK,
            step_id,
            Channel.TASK,
            strategy.hold_task.template,
            Tone.NEUTRAL,
            now,
            f"on hold ({kinds}): no contact; review",
            team=strategy.default_team,
            priority=strategy.hold_task.priority,
        ),
    )


def _earliest(*instants: datetime | None) -> datetime | None:
    present = [i for i in instants if i is not None]
    return min(present) if present else None
