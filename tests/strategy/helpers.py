"""Shared builders: a case in one line, an instant in the customer's zone, a strategy from a few steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from arrears.strategy import CaseView, CustomerKind, Plan, StrategyLibrary
from arrears.strategy.loader import parse_strategy
from arrears.strategy.schema import Strategy

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


def fed_back(view: CaseView, plan: Plan) -> CaseView:
    """What the planner does after writing a plan's actions: record them as completed."""
    done = view.completed_step_ids | {a.step_id for a in plan.actions}
    return replace(view, completed_step_ids=done)


def strategy_from(steps_yaml: str, extra: str = "") -> Strategy:
    text = f"name: test\nversion: 1\ndescription: test strategy\nsteps:\n{steps_yaml}\n{extra}"
    return parse_strategy(text, "test.yaml").strategy
