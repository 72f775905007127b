"""Properties over arbitrary planning schedules: whatever instants the planner happens to run at (late,
early, twice in a minute, not for weeks), each step goes out at most once and never before its day, and
nothing becomes due before the wake-up time the previous plan announced."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.strategy import CaseView, CustomerKind, Strategy, day_start, next_actions
from tests.strategy.helpers import fed_back, shipped

STRATEGIES = [shipped("b2b-ladder"), shipped("consumer-overdue")]
ZONES = ["Europe/Paris", "America/New_York", "Pacific/Auckland", "Asia/Kolkata", "America/Santiago", "UTC"]
START = datetime(2024, 1, 1, tzinfo=UTC)

gaps = st.lists(st.integers(min_value=0, max_value=10 * 24 * 60), min_size=1, max_size=40)  # minutes


@st.composite
def cases(draw: st.DrawFn) -> CaseView:
    return CaseView(
        case_id="c",
        customer_id="u",
        customer_kind=draw(st.sampled_from(list(CustomerKind))),
        segment=draw(st.sampled_from(["retail", "smb"])),
        tier=draw(st.sampled_from(["standard", "key", "gold"])),
        currency=draw(st.sampled_from(["EUR", "GBP", "CAD", "JPY"])),
        balance_minor=draw(st.integers(min_value=1, max_value=10_000_000)),
        oldest_unpaid_due=date(2024, 1, 1) + timedelta(days=draw(st.integers(min_value=-20, max_value=20))),
        time_zone=draw(st.sampled_from(ZONES)),
        broken_promises=draw(st.integers(min_value=0, max_value=3)),
        agency_placement_allowed=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(strategy=st.sampled_from(STRATEGIES), view=cases(), minutes=gaps)
def test_each_step_at_most_once_and_never_early(
    strategy: Strategy, view: CaseView, minutes: list[int]
) -> None:
    steps = {s.id: s for s in strategy.steps}
    emitted: list[str] = []
    now = START
    wake: datetime | None = None
    for gap in minutes:
        now += timedelta(minutes=gap)
        plan = next_actions(strategy, view, now)
        if wake is not None and now < wake:
            assert plan.actions == (), "something became due before the announced wake-up"
        for action in plan.actions:
            step = steps[action.step_id]
            assert now >= day_start(view.oldest_unpaid_due, step.day, view.zone), "emitted before its day"
            emitted.append(action.step_id)
        assert plan.wake_at is None or plan.wake_at > now
        view = fed_back(view, plan)
        wake = plan.wake_at
    assert len(emitted) == len(set(emitted))


@settings(max_examples=200, deadline=None)
@given(strategy=st.sampled_from(STRATEGIES), view=cases(), minutes=gaps)
def test_late_runs_catch_up_to_what_daily_runs_would_have_sent(
    strategy: Strategy, view: CaseView, minutes: list[int]
) -> None:
    """However irregular the schedule, by the end the same steps have gone out, in ladder order."""
    end = START + timedelta(minutes=sum(minutes))
    irregular = view
    order: list[str] = []
    now = START
    for gap in minutes:
        now += timedelta(minutes=gap)
        plan = next_actions(strategy, irregular, now)
        order += [a.step_id for a in plan.actions]
        irregular = fed_back(irregular, plan)
    once = next_actions(strategy, replace(view), end)
    assert set(order) == {a.step_id for a in once.actions}
    rank = {s.id: i for i, s in enumerate(strategy.ordered_steps)}
    assert order == sorted(order, key=rank.__getitem__)
