"""The ladder: steps by days past due on the customer's calendar, catch-up, conditions, offers, stages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from arrears.strategy import (
    ActionKind,
    CaseStatus,
    CaseView,
    CustomerKind,
    Priority,
    Strategy,
    next_actions,
    start_of_day,
)
from tests.strategy.helpers import DUE, case, fed_back, local, replaying, shipped, strategy_from

B2B = shipped("b2b-ladder")
REPLAY = replaying(B2B)  # all_at_once without spacing: the behaviour before issue 9, still an option


def _run_daily(view: CaseView, strategy: Strategy, days: range) -> tuple[list[tuple[int, str]], CaseView]:
    """Plan once a day at 10:00 local, feeding back what was planned, as the planner would."""
    emitted: list[tuple[int, str]] = []
    for n in days:
        now = local(DUE + timedelta(days=n))
        plan = next_actions(strategy, view, now)
        emitted += [(n, a.step_id) for a in plan.actions]
        view = fed_back(view, plan, now)
    return emitted, view


def test_b2b_ladder_day_by_day() -> None:
    emitted, view = _run_daily(case(), B2B, range(0, 40))
    assert emitted == [
        (3, "invoice-summary-email"),
        (7, "early-payment-offer-email"),
        (14, "decision-maker-call"),
        (14, "final-notice-email"),
        (14, "final-notice-sms"),
        (21, "handoff-to-collections"),
    ]
    # After the handoff the ladder has ended: nothing more, nothing scheduled.
    assert next_actions(B2B, view, local(DUE + timedelta(days=60))).wake_at is None


def test_wake_at_is_local_midnight_of_next_step_day() -> None:
    plan = next_actions(B2B, case(), local(DUE, hour=9))
    assert plan.actions == () and plan.days_past_due == 0
    assert plan.wake_at == datetime(2024, 3, 3, 23, 0, tzinfo=UTC)  # 2024-03-04 00:00 in Paris
    # Nothing is due between now and wake_at, and the step is due at wake_at exactly.
    assert next_actions(B2B, case(), plan.wake_at - timedelta(seconds=1)).actions == ()
    assert [a.step_id for a in next_actions(B2B, case(), plan.wake_at).actions] == ["invoice-summary-email"]


def test_catch_up_after_a_missed_week_yields_skipped_steps_in_order_once() -> None:
    view = case(completed_step_ids=frozenset({"invoice-summary-email"}))
    late = local(DUE + timedelta(days=15))
    plan = next_actions(REPLAY, view, late)
    assert [a.step_id for a in plan.actions] == [
        "early-payment-offer-email",
        "decision-maker-call",
        "final-notice-email",
        "final-notice-sms",
    ]
    assert plan.actions[0].due_at == start_of_day(DUE + timedelta(days=7), ZoneInfo("Europe/Paris"))
    assert plan.wake_at == start_of_day(DUE + timedelta(days=21), ZoneInfo("Europe/Paris"))
    # Planning again without the feedback repeats the same keys (the outbox collapses them) ...
    assert [a.action_key for a in next_actions(REPLAY, view, late).actions] == [
        a.action_key for a in plan.actions
    ]
    # ... and with it, nothing is repeated.
    assert next_actions(REPLAY, fed_back(view, plan), late + timedelta(hours=3)).actions == ()


def test_days_past_due_use_the_customers_calendar() -> None:
    instant = datetime(2024, 3, 3, 23, 30, tzinfo=UTC)
    paris = next_actions(B2B, case(), instant)
    new_york = next_actions(B2B, case(time_zone="America/New_York"), instant)
    assert (paris.days_past_due, [a.step_id for a in paris.actions]) == (3, ["invoice-summary-email"])
    assert (new_york.days_past_due, new_york.actions) == (2, ())
    assert new_york.wake_at == datetime(2024, 3, 4, 5, 0, tzinfo=UTC)


def test_start_of_day_across_a_midnight_dst_gap() -> None:
    santiago = ZoneInfo("America/Santiago")  # 2024-09-08 00:00 does not exist there: clocks jump to 01:00
    start = start_of_day(date(2024, 9, 8), santiago)
    assert start.astimezone(santiago).date() == date(2024, 9, 8)
    assert (start - timedelta(minutes=1)).astimezone(santiago).date() == date(2024, 9, 7)


def test_offer_is_priced_from_the_balance_at_planning_time() -> None:
    view = case(completed_step_ids=frozenset({"invoice-summary-email"}), balance_minor=123_456)
    [action] = next_actions(B2B, view, local(DUE + timedelta(days=8))).actions
    assert action.offer is not None
    assert (action.offer.discount_minor, action.offer.pay_minor) == (2_469, 120_987)  # 2%, rounded down
    assert action.offer.expires_on == DUE + timedelta(days=8 + 7)
    assert action.payment_link and action.kind is ActionKind.CONTACT
    tiny = replace(view, balance_minor=40)  # 2% of 0.40 is nothing: no offer rather than a zero offer
    assert next_actions(B2B, tiny, local(DUE + timedelta(days=8))).actions[0].offer is None


def test_fixed_offer_in_the_case_currency() -> None:
    strategy = strategy_from(
        "  - {id: offer, day: 1, channel: email, template: t, tone: firm,\n"
        "     offer: {discount_minor: {EUR: 1500, GBP: 1000}, valid_days: 5},\n"
        "     conditions: {currencies: [EUR, GBP]}}"
    )
    [eur] = next_actions(strategy, case(), local(DUE + timedelta(days=1))).actions
    [gbp] = next_actions(strategy, case(currency="GBP"), local(DUE + timedelta(days=1))).actions
    assert eur.offer is not None and (eur.offer.discount_minor, eur.offer.currency) == (1500, "EUR")
    assert gbp.offer is not None and (gbp.offer.discount_minor, gbp.offer.currency) == (1000, "GBP")
    assert next_actions(strategy, case(currency="CHF"), local(DUE + timedelta(days=1))).actions == ()


CONDITIONAL = strategy_from(
    """\
  - {id: everyone, day: 1, channel: email, template: t, tone: friendly}
  - {id: vip, day: 1, channel: voice, template: t, tone: friendly, conditions: {tiers: [gold]}}
  - {id: retail, day: 1, channel: sms, template: t, tone: friendly, conditions: {segments: [retail]}}
  - {id: people, day: 1, channel: letter, template: t, tone: neutral, conditions: {customer_kind: person}}
  - {id: gbp-only, day: 1, channel: sms, template: t, tone: neutral, conditions: {currencies: [GBP]}}
  - id: mid-band
    day: 1
    channel: email
    template: t
    tone: firm
    conditions:
      amount_bands:
        - {currency: EUR, min_minor: 10000, max_minor: 50000}
        - {currency: GBP, min_minor: 20000}
  - {id: broke-once, day: 1, channel: voice, template: t, tone: firm,
     conditions: {broken_promises: {min: 1, max: 1}}}
  - {id: later, day: 9, channel: email, template: t, tone: firm, conditions: {tiers: [gold]}}
  - {id: last, day: 12, channel: email, template: t, tone: final}"""
)


def _due_ids(**overrides: Any) -> list[str]:
    plan = next_actions(replaying(CONDITIONAL), case(**overrides), local(DUE + timedelta(days=2)))
    return [a.step_id for a in plan.actions]


def test_conditions_select_steps() -> None:
    assert _due_ids() == ["everyone"]
    assert _due_ids(tier="gold", segment="retail") == ["everyone", "vip", "retail"]
    assert _due_ids(customer_kind=CustomerKind.PERSON) == ["everyone", "people"]
    assert _due_ids(broken_promises=1) == ["everyone", "broke-once"]
    assert _due_ids(broken_promises=2) == ["everyone"]


def test_amount_bands_are_per_currency_min_inclusive_max_exclusive() -> None:
    assert _due_ids(balance_minor=10_000) == ["everyone", "mid-band"]
    assert _due_ids(balance_minor=49_999) == ["everyone", "mid-band"]
    assert _due_ids(balance_minor=50_000) == ["everyone"]
    assert _due_ids(balance_minor=9_999) == ["everyone"]
    assert _due_ids(currency="GBP", balance_minor=20_000) == ["everyone", "gbp-only", "mid-band"]
    assert _due_ids(currency="CHF", balance_minor=20_000) == ["everyone"]  # no band in CHF: never converted


def test_skipped_steps_neither_fire_nor_delay_the_rest() -> None:
    plan = next_actions(CONDITIONAL, case(), local(DUE + timedelta(days=2)))
    assert "vip" in plan.skipped and "later" not in plan.skipped
    # "later" (day 9) does not match a standard-tier case: the next wake-up is "last" on ladder day 12,
    # a day late, as the case started a day late (first planned at 2 days past due, at the day-1 step).
    assert plan.ladder_shift_days == 1
    assert plan.wake_at == start_of_day(DUE + timedelta(days=13), ZoneInfo("Europe/Paris"))


PLACEMENT = """\
  - {id: nudge, day: 1, channel: email, template: t, tone: friendly}
  - id: agency
    day: 30
    channel: task
    template: handoff
    tone: final
    stage: {action: placement, agency: acme-recoveries, priority: high%s}
  - {id: after, day: 31, channel: letter, template: t, tone: final}"""


def test_placement_only_where_the_account_allows_it() -> None:
    day = local(DUE + timedelta(days=30))
    done = frozenset({"nudge"})
    strict = strategy_from(PLACEMENT % "")
    [placed] = next_actions(strict, case(agency_placement_allowed=True, completed_step_ids=done), day).actions
    assert (placed.kind, placed.agency, placed.priority) == (
        ActionKind.PLACEMENT,
        "acme-recoveries",
        Priority.HIGH,
    )
    # Not allowed and no fallback: the step is skipped and the ladder goes on.
    plan = next_actions(strict, case(completed_step_ids=done), day)
    assert plan.actions == () and plan.skipped == ("agency",)
    fallback = strategy_from(PLACEMENT % ", fallback_team: recoveries")
    [handed] = next_actions(fallback, case(completed_step_ids=done), day).actions
    assert (handed.kind, handed.team, handed.agency) == (ActionKind.HANDOFF, "recoveries", None)


def test_a_stage_action_ends_the_ladder() -> None:
    strategy = replaying(strategy_from(PLACEMENT % ""))
    allowed = case(agency_placement_allowed=True)
    plan = next_actions(strategy, allowed, local(DUE + timedelta(days=40)))
    assert [a.step_id for a in plan.actions] == ["nudge", "agency"]  # "after" is for people to decide
    assert plan.wake_at is None
    assert next_actions(strategy, fed_back(allowed, plan), local(DUE + timedelta(days=41))).actions == ()


def test_status_and_balance() -> None:
    late = local(DUE + timedelta(days=30))
    for status in (CaseStatus.SETTLED, CaseStatus.CLOSED):
        plan = next_actions(B2B, case(status=status), late)
        assert plan.actions == () and plan.wake_at is None and not plan.close
    paid = next_actions(B2B, case(balance_minor=0), late)
    assert paid.close and paid.actions == () and paid.wake_at is None
    handed = next_actions(B2B, case(status=CaseStatus.HANDED_OFF), late)
    assert handed.actions == () and handed.wake_at is None


def test_action_keys_are_deterministic_and_distinct() -> None:
    at = local(DUE + timedelta(days=15))
    keys = [a.action_key for a in next_actions(REPLAY, case(), at).actions]
    assert len(set(keys)) == len(keys) == 5
    assert keys == [a.action_key for a in next_actions(REPLAY, case(), at + timedelta(days=2)).actions]
    other_case = [a.action_key for a in next_actions(REPLAY, case(case_id="case-2"), at).actions]
    other_version = [
        a.action_key for a in next_actions(REPLAY.model_copy(update={"version": 2}), case(), at).actions
    ]
    assert not set(keys) & set(other_case) and not set(keys) & set(other_version)


def test_paced_catch_up_replays_one_ladder_day_per_calendar_day() -> None:
    """`catch_up: one_day_at_a_time`: a case planned 20 days late gets its missed ladder days one per day,
    steps of the same ladder day still together, and nothing skipped or repeated."""
    paced = replaying(B2B, "one_day_at_a_time")
    first = next_actions(paced, case(), local(DUE + timedelta(days=20)))
    assert [a.step_id for a in first.actions] == ["invoice-summary-email"]
    assert first.wake_at == start_of_day(DUE + timedelta(days=21), ZoneInfo("Europe/Paris"))

    emitted, _view = _run_daily(case(), paced, range(20, 26))
    assert emitted == [
        (20, "invoice-summary-email"),
        (21, "early-payment-offer-email"),
        (22, "decision-maker-call"),  # the three day-14 steps stay together
        (22, "final-notice-email"),
        (22, "final-notice-sms"),
        (23, "handoff-to-collections"),
    ]
    # `all_at_once` replays every missed day at once, in ladder order.
    assert [a.step_id for a in next_actions(REPLAY, case(), local(DUE + timedelta(days=20))).actions] == [
        "invoice-summary-email",
        "early-payment-offer-email",
        "decision-maker-call",
        "final-notice-email",
        "final-notice-sms",
    ]


def test_paced_catch_up_changes_nothing_on_time() -> None:
    paced = B2B.model_copy(update={"catch_up": "one_day_at_a_time"})
    assert _run_daily(case(), paced, range(0, 40))[0] == _run_daily(case(), B2B, range(0, 40))[0]


CONSUMER = shipped("consumer-overdue")


def test_a_case_first_planned_late_starts_at_its_current_step() -> None:
    """`current_step` (the default): the steps of earlier days are passed over with the reason, the
    current day's steps go one a day (the first message alone), and nothing earlier fires later."""
    view = case(customer_kind=CustomerKind.PERSON)
    at = local(DUE + timedelta(days=25))
    plan = next_actions(CONSUMER, view, at)
    assert [a.step_id for a in plan.actions] == ["final-notice-letter"]
    assert [p.step_id for p in plan.passed_over] == [
        "reminder-email",
        "payment-link-sms",
        "first-call",
        "follow-up-email",
        "second-call",
    ]
    assert {p.reason for p in plan.passed_over} == {
        "catch-up: case first planned at 25 days past due; started at day 21"
    }
    assert "large-balance-review" in plan.skipped  # a person's review of a band this case is not in
    assert plan.wake_at == at + timedelta(days=1)  # the day-21 text follows, alone, a day later
    view = fed_back(view, plan, at)
    following = next_actions(CONSUMER, view, at + timedelta(days=1))
    assert [a.step_id for a in following.actions] == ["final-notice-sms"] and following.passed_over == ()


def test_a_case_first_planned_past_the_handoff_day_is_written_to_before_people_take_it() -> None:
    """Imported at 45 days past due: the ladder starts at its last message (the day-21 final notice), the
    earlier messages are passed over, and the hand-off follows at the ladder's own interval (9 days)."""
    view = case(customer_kind=CustomerKind.PERSON)
    emitted: list[tuple[int, str]] = []
    for n in range(45, 60):
        now = local(DUE + timedelta(days=n))
        plan = next_actions(CONSUMER, view, now)
        if n == 45:
            assert plan.ladder_shift_days == 24
            assert [p.step_id for p in plan.passed_over] == [
                "reminder-email",
                "payment-link-sms",
                "first-call",
                "follow-up-email",
                "second-call",
            ]
        emitted += [(n, a.step_id) for a in plan.actions]
        view = fed_back(view, plan, now)
    assert emitted == [
        (45, "final-notice-letter"),  # the first message goes alone
        (46, "final-notice-sms"),
        (54, "escalate-to-collections"),  # ladder day 30: nine days after the final notice, as designed
    ]


def test_catch_up_keeps_reviews_for_people_and_reactions_to_broken_promises() -> None:
    key = case(tier="key")
    plan = next_actions(B2B, key, local(DUE + timedelta(days=12)))
    assert [a.step_id for a in plan.actions] == ["early-payment-offer-email"]
    assert [p.step_id for p in plan.passed_over] == ["invoice-summary-email"]
    # The review is kept, at its ladder day: started at day 7 on day 12, day 10 comes on day 15.
    later = next_actions(B2B, fed_back(key, plan), local(DUE + timedelta(days=15)))
    assert [a.step_id for a in later.actions] == ["key-account-review"]
    broke = case(customer_kind=CustomerKind.PERSON, broken_promises=1)
    plan = next_actions(CONSUMER, broke, local(DUE + timedelta(days=12)))
    assert [a.step_id for a in plan.actions] == ["broken-promise-call"]
    assert "broken-promise-call" not in {p.step_id for p in plan.passed_over}


def test_a_worked_case_keeps_its_missed_steps_a_day_apart() -> None:
    """Worked, then the planner was down for a week: nothing is skipped; the missed steps go one a day."""
    view = case(completed_step_ids=frozenset({"invoice-summary-email"}))
    sent, emitted = local(DUE + timedelta(days=3)), []
    view = replace(view, contacts=(("email", sent),))
    for n in range(15, 20):
        now = local(DUE + timedelta(days=n))
        plan = next_actions(B2B, view, now)
        assert plan.passed_over == ()
        emitted += [(n, a.step_id) for a in plan.actions]
        view = fed_back(view, plan, now)
    assert emitted == [
        (15, "early-payment-offer-email"),
        (16, "decision-maker-call"),
        (17, "final-notice-email"),
        (18, "final-notice-sms"),
    ]
