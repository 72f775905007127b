"""The strategy's negotiation terms made into the bounds the dialogue checks, for one case now: the
customer's segment and tier pick the terms, the step that opened the conversation may replace them, and a
settlement floor becomes an amount of today's balance and a last day in the customer's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from arrears.agent.dialogue import PlanBounds, SettlementBounds
from arrears.core.money import Money
from arrears.strategy.negotiation import terms_for
from arrears.strategy.schema import Strategy


@dataclass(frozen=True, slots=True)
class Bounds:
    plan: PlanBounds | None = None
    settlement: SettlementBounds | None = None
    max_promise_days: int = 30


def bounds_for(
    strategy: Strategy | None,
    step_id: str | None,
    *,
    segment: str | None,
    tier: str | None,
    balance: Money,
    today: date,
) -> Bounds:
    """No strategy (an unknown version): nothing may be agreed but a promise within 30 days."""
    if strategy is None:
        return Bounds()
    step = next((s for s in strategy.steps if s.id == step_id), None)
    listed = step.negotiation if step is not None and step.negotiation is not None else strategy.negotiation
    terms = terms_for(listed, segment, tier)
    horizon = strategy.promise.max_days_out
    if terms is None:
        return Bounds(max_promise_days=horizon)
    smallest = terms.min_instalment_minor.get(balance.currency)
    plan = (
        PlanBounds(
            Money(smallest, balance.currency),
            terms.max_instalments,
            terms.min_spacing_days,
            terms.max_spacing_days,
        )
        if smallest is not None
        else None
    )
    settlement = None
    if terms.settlement is not None and balance.minor > 0:
        floor = -(-balance.minor * terms.settlement.floor_bps // 10_000)  # rounded up: never below the floor
        last_day = today + timedelta(days=terms.settlement.valid_days)
        settlement = SettlementBounds(Money(floor, balance.currency), last_day)
    return Bounds(plan, settlement, horizon)
