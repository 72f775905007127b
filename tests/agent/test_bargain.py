"""Negotiation terms as pure functions: what a customer's words propose, and that whatever the agent agrees
or counters with lies inside the strategy's bounds, for any balance, bounds and proposal."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from arrears.agent.dialogue import PlanBounds, SettlementBounds
from arrears.agent.dialogue.bargain import Proposal, assess_plan, assess_settlement, read_proposal
from arrears.core.money import Money

BALANCE = Money(60_000, "USD")
BOUNDS = PlanBounds(Money(5_000, "USD"), 6, min_spacing_days=7, max_spacing_days=31)
FLOOR = SettlementBounds(Money(48_000, "USD"), date(2026, 3, 24))


def _usd(minor: int) -> Money:
    return Money(minor, "USD")


def test_words_give_the_count_the_spacing_and_the_kind_of_proposal() -> None:
    weekly = read_proposal("could i do 50 a week", _usd(5_000), BALANCE)
    assert (weekly.amount, weekly.count, weekly.every_days, weekly.settlement) == (
        _usd(5_000),
        None,
        7,
        False,
    )
    split = read_proposal("can we split it into three payments", None, BALANCE)
    assert (split.count, split.every_days) == (3, None)
    over = read_proposal("I could pay the 600 over 3 months", _usd(60_000), BALANCE)
    assert (over.amount, over.count, over.every_days) == (_usd(20_000), 3, 30)
    fortnight = read_proposal("cada quincena 100 dólares en seis pagos", _usd(10_000), BALANCE)
    assert (fortnight.count, fortnight.every_days) == (6, 14)
    settle = read_proposal("would you take 400 to settle this", _usd(40_000), BALANCE)
    assert settle.settlement and settle.amount == _usd(40_000)
    for not_a_settlement in ("I'll settle the bill on friday", "i want to settle the full 600 now"):
        full = _usd(60_000) if "600" in not_a_settlement else None
        assert not read_proposal(not_a_settlement, full, BALANCE).settlement
    assert read_proposal("can we settle this for less", None, BALANCE).settlement
    assert read_proposal("¿puedo liquidar la deuda con 450?", _usd(45_000), BALANCE).settlement


def test_a_plan_inside_the_bounds_is_agreed_as_asked() -> None:
    verdict = assess_plan(Proposal(_usd(15_000), None, 14, False, ""), BALANCE, BOUNDS)
    assert verdict.terms is not None and not verdict.countered
    assert (verdict.terms.per, verdict.terms.count, verdict.terms.every_days) == (_usd(15_000), 4, 14)


def test_a_plan_outside_the_bounds_is_countered_with_the_nearest_one_inside() -> None:
    too_small = assess_plan(Proposal(_usd(2_000), None, None, False, ""), BALANCE, BOUNDS)
    assert too_small.countered and too_small.terms is not None
    assert (too_small.terms.per, too_small.terms.count) == (_usd(10_000), 6)
    too_many = assess_plan(Proposal(None, 12, None, False, ""), BALANCE, BOUNDS)
    assert too_many.countered and too_many.terms is not None and too_many.terms.count == 6
    too_sparse = assess_plan(Proposal(_usd(20_000), None, 61, False, ""), BALANCE, BOUNDS)
    assert too_sparse.countered and too_sparse.terms is not None and too_sparse.terms.every_days is None
    daily = assess_plan(Proposal(_usd(20_000), None, 1, False, ""), BALANCE, BOUNDS)
    assert daily.countered and daily.terms is not None and daily.terms.every_days == 7


def test_no_bounds_or_a_balance_too_small_to_split_means_no_plan() -> None:
    assert assess_plan(Proposal(None, 3, None, False, ""), BALANCE, None).terms is None
    assert assess_plan(Proposal(None, 3, None, False, ""), _usd(9_000), BOUNDS).terms is None


def test_a_settlement_is_accepted_at_or_above_the_floor_and_countered_below_it() -> None:
    at = assess_settlement(Proposal(_usd(50_000), None, None, True, ""), BALANCE, FLOOR)
    assert (at.amount, at.countered) == (_usd(50_000), False)
    below = assess_settlement(Proposal(_usd(30_000), None, None, True, ""), BALANCE, FLOOR)
    assert (below.amount, below.countered) == (_usd(48_000), True)
    unnamed = assess_settlement(Proposal(None, None, None, True, ""), BALANCE, FLOOR)
    assert (unnamed.amount, unnamed.countered) == (_usd(48_000), False)
    assert assess_settlement(Proposal(_usd(50_000), None, None, True, ""), BALANCE, None).amount is None


@given(
    balance=st.integers(1, 10_000_000),
    smallest=st.integers(1, 500_000),
    most=st.integers(2, 60),
    spacing=st.tuples(st.integers(1, 92), st.integers(1, 92)).map(sorted),
    amount=st.none() | st.integers(1, 20_000_000),
    count=st.none() | st.integers(1, 100),
    every=st.none() | st.integers(1, 200),
)
def test_every_plan_the_agent_agrees_or_offers_is_inside_the_bounds(
    balance: int,
    smallest: int,
    most: int,
    spacing: list[int],
    amount: int | None,
    count: int | None,
    every: int | None,
) -> None:
    bounds = PlanBounds(_usd(smallest), most, spacing[0], spacing[1])
    proposal = Proposal(None if amount is None else _usd(amount), count, every, False, "")
    verdict = assess_plan(proposal, _usd(balance), bounds)
    if verdict.terms is None or verdict.terms.count == 1:
        return
    terms = verdict.terms
    assert terms.per.minor >= smallest and 2 <= terms.count <= most
    assert terms.per.minor * terms.count >= balance > terms.per.minor * (terms.count - 1)
    assert 0 < terms.last.minor <= terms.per.minor
    assert terms.per.minor * (terms.count - 1) + terms.last.minor == balance  # never more than is owed
    if terms.every_days is None:
        assert bounds.max_spacing_days >= 31
    else:
        assert bounds.min_spacing_days <= terms.every_days <= bounds.max_spacing_days


@given(
    balance=st.integers(2, 10_000_000), floor_share=st.integers(1, 9_999), offered=st.integers(1, 20_000_000)
)
def test_every_settlement_the_agent_accepts_is_at_least_the_floor_and_at_most_the_balance(
    balance: int, floor_share: int, offered: int
) -> None:
    floor = -(-balance * floor_share // 10_000)
    bounds = SettlementBounds(_usd(floor), date(2026, 3, 24))
    verdict = assess_settlement(Proposal(_usd(offered), None, None, True, ""), _usd(balance), bounds)
    if verdict.amount is not None:
        assert floor <= verdict.amount.minor <= balance
        assert verdict.countered == (offered < floor)
