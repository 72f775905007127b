"""Shared builders: a case in one line, an instant in the customer's zone, a strategy from a few steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from arrears.strategy import ActionKind, CaseView, CustomerKind, Plan, StrategyLibrary
from arrears.strategy.loader import parse_strategy
from arrears.strategy.schema import Strategy
from arrears.strategy.spacing import NO_SPACING

DUE = date(2024, 3, 1)
LIBRARY = StrategyLibrary.load()


def shipped(name: str) -> Strategy:
    return LIBRARY.strategy(name)


def case(**overrides: Any) -> CaseView:
    base = CaseView(
        case_id="case-1",
        customer_id="cust-1",
        customer_kind=CustomerKind.BUSINESS,
        segment="smb",
        tier="standard",
        currency="EUR",
        balance_minor=120_000,
        oldest_unpaid_due=DUE,
        time_zone="Europe/Paris",
    )
    return replace(base, **overrides)


def local(day: date, hour: int = 10, zone: str = "Europe/Paris") -> datetime:
    """An aware instant at `hour` local time on `day` in `zone`."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone))


def fed_back(view: CaseView, plan: Plan, at: datetime | None = None) -> CaseView:
    """What the planner does after writing a plan: its actions and the steps catch-up passed over are
    completed, its messages join the case's contacts, dated `at` (default: when each became due), and a
    late start's ladder shift is stored."""
    done = view.completed_step_ids | {a.step_id for a in plan.actions} | {p.step_id for p in plan.passed_over}
    sent = tuple(
        (a.channel.value, at or a.due_at)
        for a in plan.actions
        if a.kind in (ActionKind.CONTACT, ActionKind.PROMISE_REMINDER)
    )
    shift = view.ladder_shift_days if plan.ladder_shift_days is None else plan.ladder_shift_days
    return replace(view, completed_step_ids=done, contacts=view.contacts + sent, ladder_shift_days=shift)


def strategy_from(steps_yaml: str, extra: str = "") -> Strategy:
    text = f"name: test\nversion: 1\ndescription: test strategy\nsteps:\n{steps_yaml}\n{extra}"
    return parse_strategy(text, "test.yaml").strategy


def replaying(strategy: Strategy, catch_up: str = "all_at_once") -> Strategy:
    """The behaviour before issue 9 (an option still): missed steps replayed, no spacing."""
    return strategy.model_copy(update={"catch_up": catch_up, "spacing": NO_SPACING})
