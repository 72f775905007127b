"""Properties over arbitrary planning schedules: whatever instants the planner happens to run at (late,
early, twice in a minute, not for weeks), each step goes out at most once and never before its day, and
nothing becomes due before the wake-up time the previous plan announced."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.strategy import ActionKind, CaseView, CustomerKind, Strategy, day_start, next_actions
from arrears.strategy.plan import ladder_base
from tests.strategy.helpers import fed_back, replaying, shipped

STRATEGIES = [shipped("b2b-ladder"), shipped("consumer-overdue")]
REPLAYING = [replaying(s) for s in STRATEGIES] + [replaying(s, "one_day_at_a_time") for s in STRATEGIES]
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
@given(strategy=st.sampled_from(STRATEGIES + REPLAYING), view=cases(), minutes=gaps)
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
            assert now >= day_start(ladder_base(view), step.day, view.zone), "emitted before its ladder day"
            emitted.append(action.step_id)
        assert plan.wake_at is None or plan.wake_at > now
        passed = [p.step_id for p in plan.passed_over]
        assert not set(passed) & (set(emitted) | view.completed_step_ids), "passed over a step already done"
        view = fed_back(view, plan, now)
        wake = plan.wake_at
    assert len(emitted) == len(set(emitted))


@settings(max_examples=300, deadline=None)
@given(strategy=st.sampled_from(STRATEGIES), view=cases(), minutes=gaps)
def test_messages_of_a_case_are_spaced(strategy: Strategy, view: CaseView, minutes: list[int]) -> None:
    """Whatever the schedule: one message per channel per day, and a case's first message goes alone."""
    sent: list[tuple[str, datetime]] = []
    now = START
    for gap in minutes:
        now += timedelta(minutes=gap)
        plan = next_actions(strategy, view, now)
        sent += [(a.channel.value, now) for a in plan.actions if a.kind is ActionKind.CONTACT]
        view = fed_back(view, plan, now)
    for i, (channel, at) in enumerate(sent):
        for other, later in sent[i + 1 :]:
            if other == channel:
                assert later - at >= timedelta(hours=24), f"two {channel} messages within a day"
    if len(sent) > 1:
        assert sent[1][1] - sent[0][1] >= timedelta(hours=24), "the first message did not go alone"


@settings(max_examples=200, deadline=None)
@given(strategy=st.sampled_from(REPLAYING[:2]), view=cases(), minutes=gaps)
def test_late_runs_catch_up_to_what_daily_runs_would_have_sent(
    strategy: Strategy, view: CaseView, minutes: list[int]
) -> None:
    """`all_at_once` without spacing: however irregular the schedule, by the end the same steps have gone
    out, in ladder order."""
    end = START + timedelta(minutes=sum(minutes))
    irregular = view
    order: list[str] = []
    now = START
    for gap in minutes:
        now += timedelta(minutes=gap)
        plan = next_actions(strategy, irregular, now)
        order += [a.step_id for a in plan.actions]
        irregular = fed_back(irregular, plan, now)
    once = next_actions(strategy, replace(view), end)
    assert set(order) == {a.step_id for a in once.actions}
    rank = {s.id: i for i, s in enumerate(strategy.ordered_steps)}
    assert order == sorted(order, key=rank.__getitem__)


@settings(max_examples=200, deadline=None)
@given(strategy=st.sampled_from(STRATEGIES), view=cases(), minutes=gaps)
def test_current_step_fires_or_skips_only_what_was_due_in_ladder_order(
    strategy: Strategy, view: CaseView, minutes: list[int]
) -> None:
    """The default: every step that fires or is skipped was due by then (as `all_at_once` would have sent
    it), none both, in ladder order; the skipped ones come before the first that fired."""
    end = START + timedelta(minutes=sum(minutes))
    order: list[str] = []
    passed: list[str] = []
    current = view
    now = START
    for gap in minutes:
        now += timedelta(minutes=gap)
        plan = next_actions(strategy, current, now)
        order += [a.step_id for a in plan.actions]
        passed += [p.step_id for p in plan.passed_over]
        current = fed_back(current, plan, now)
    due = {a.step_id for a in next_actions(replaying(strategy), replace(view), end).actions}
    assert set(order) | set(passed) <= due
    assert not set(order) & set(passed) and len(passed) == len(set(passed))
    rank = {s.id: i for i, s in enumerate(strategy.ordered_steps)}
    assert order == sorted(order, key=rank.__getitem__)
