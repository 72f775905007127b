"""Negotiation terms in a strategy file: bad ones fail with line and field like any strategy error; good
ones reach the agent as bounds for the customer's segment and tier, or the opening step's own terms."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.conversations.terms import bounds_for
from arrears.core.money import Money
from arrears.strategy import StrategyError, load_strategy
from tests.strategy.test_loading import GOOD

TERMS = """\
negotiation:
  - tiers: [gold]
    min_instalment_minor: {USD: 1000}
    max_instalments: 12
    settlement: {floor_bps: 7000, valid_days: 10}
  - min_instalment_minor: {USD: 5000}
    max_instalments: 3
"""
TODAY = date(2026, 3, 10)
BALANCE = Money(60_000, "USD")


def _issues(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(StrategyError) as caught:
        load_strategy(text, name="bad.yaml")
    return [(i.line, i.field, i.message) for i in caught.value.issues]


def test_an_unknown_currency_or_crossed_spacing_names_the_line_and_field() -> None:
    [(line, field, message)] = _issues(GOOD + "negotiation:\n  - min_instalment_minor: {XYZ: 500}\n")
    assert (line, field) == (16, "negotiation[0].min_instalment_minor")  # the line of that item
    assert "unknown currency 'XYZ'" in message
    crossed = GOOD + "negotiation:\n  - min_spacing_days: 40\n    max_spacing_days: 14\n"
    [(_, field, message)] = _issues(crossed)
    assert field == "negotiation[0]" and "min_spacing_days must not exceed max_spacing_days" in message
    [(_, field, _)] = _issues(GOOD + "negotiation:\n  - settlement: {floor_bps: 10000}\n")
    assert field == "negotiation[0].settlement.floor_bps"


def test_the_first_terms_for_the_customers_tier_apply() -> None:
    strategy = load_strategy(GOOD + TERMS).strategy
    gold = bounds_for(strategy, None, segment=None, tier="gold", balance=BALANCE, today=TODAY)
    assert gold.plan is not None and (gold.plan.min_instalment, gold.plan.max_instalments) == (
        Money(1_000, "USD"),
        12,
    )
    assert gold.settlement is not None and gold.settlement.floor == Money(42_000, "USD")
    assert gold.settlement.last_day == date(2026, 3, 20)
    other = bounds_for(strategy, None, segment=None, tier="silver", balance=BALANCE, today=TODAY)
    assert other.plan is not None and other.plan.max_instalments == 3 and other.settlement is None
    euros = bounds_for(strategy, None, segment=None, tier="gold", balance=Money(60_000, "EUR"), today=TODAY)
    assert euros.plan is None  # no smallest instalment in EUR: no automatic plan in EUR


def test_a_steps_own_terms_replace_the_strategys_in_the_conversations_it_opens() -> None:
    own = "    negotiation:\n      - min_instalment_minor: {USD: 20000}\n        max_instalments: 2\n"
    strategy = load_strategy(GOOD + own + TERMS).strategy
    opened = bounds_for(strategy, "second", segment=None, tier="gold", balance=BALANCE, today=TODAY)
    assert opened.plan is not None and opened.plan.max_instalments == 2 and opened.settlement is None
    elsewhere = bounds_for(strategy, "first", segment=None, tier="gold", balance=BALANCE, today=TODAY)
    assert elsewhere.plan is not None and elsewhere.plan.max_instalments == 12


def test_without_a_strategy_nothing_may_be_agreed_but_a_promise() -> None:
    bare = bounds_for(None, None, segment=None, tier=None, balance=BALANCE, today=TODAY)
    assert (bare.plan, bare.settlement, bare.max_promise_days) == (None, None, 30)
