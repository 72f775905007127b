"""Negotiation in the dialogue, turn by turn: the agent agrees terms inside the strategy's bounds, counters
once with the nearest terms inside them, and hands anything else to a person with the customer's words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from arrears.agent import understand
from arrears.agent.dialogue import (
    OfferSettlement,
    OpenTask,
    PlanBounds,
    RecordPromise,
    Routing,
    ScheduleCallback,
    SettlementBounds,
    Stage,
    start,
    step,
)
from arrears.core.money import Money
from tests.agent.test_dialogue import NOW, ctx, talk

VERIFIED = ("yes", "july 12 1984")  # balance $243.50, today Wednesday 4 March 2026
SETTLE = SettlementBounds(Money(20_000, "USD"), date(2026, 3, 18))


def test_a_weekly_plan_inside_the_bounds_is_read_back_and_booked_weekly() -> None:
    steps = talk(ctx(), *VERIFIED, "could I pay $50 a week starting friday", "yes")
    assert steps[3].state.stage is Stage.PLAN_CONFIRM
    assert "5 weekly payments of $50 (the last one $43.50), the first on Friday, March 6" in steps[3].reply
    assert RecordPromise(date(2026, 3, 6), Money(5_000, "USD"), 5, 7) in steps[4].actions
    assert steps[4].outcome is not None and steps[4].outcome.routing is Routing.BOOKED


def test_a_plan_too_spread_out_is_countered_and_the_counter_can_be_accepted() -> None:
    bounds = PlanBounds(Money(5_000, "USD"), 3)
    steps = talk(ctx(plan_bounds=bounds), *VERIFIED, "can I split it into 10 payments", "the 20th", "ok yes")
    assert "I can't agree that myself, but I can offer you 3 monthly payments of $81.17" in steps[3].reply
    assert steps[3].state.stage is Stage.PROMISE_DATE and steps[3].state.countered is not None
    assert steps[4].state.stage is Stage.PLAN_CONFIRM
    assert RecordPromise(date(2026, 3, 20), Money(8_117, "USD"), 3) in steps[5].actions


def test_a_second_proposal_outside_the_bounds_goes_to_a_person_with_both_sets_of_words() -> None:
    steps = talk(ctx(), *VERIFIED, "could I pay $10 a month from the 15th", "what about $20 a month then")
    assert steps[3].state.stage is Stage.PLAN_CONFIRM
    last = steps[-1]
    assert last.outcome is not None and last.outcome.routing is Routing.SENT_TO_REVIEW
    task = next(a for a in last.actions if isinstance(a, OpenTask))
    assert task.reason == "payment_plan" and task.proposal is not None
    assert "what about $20 a month then" in task.proposal and "$20 each" in task.proposal
    assert task.proposal.index("could I pay $10 a month") < task.proposal.index("what about $20")
    assert ScheduleCallback("payment_plan") in last.actions
    assert not any(isinstance(a, RecordPromise) for s in steps for a in s.actions)


def test_without_plan_bounds_every_plan_goes_to_a_person() -> None:
    last = talk(ctx(plan_bounds=None), *VERIFIED, "can i pay it off over 3 months")[-1]
    assert last.outcome is not None and last.outcome.routing is Routing.SENT_TO_REVIEW
    assert next(a for a in last.actions if isinstance(a, OpenTask)).proposal is not None


def test_a_settlement_at_or_above_the_floor_is_booked_with_its_link_and_last_day() -> None:
    steps = talk(ctx(settlement=SETTLE), *VERIFIED, "can I pay 210 as a full and final settlement", "yes")
    assert (
        "I can accept $210 to settle the account in full, if it's paid by Wednesday, March 18"
        in steps[3].reply
    )
    last = steps[-1]
    assert OfferSettlement(Money(21_000, "USD"), date(2026, 3, 18), "sms") in last.actions
    assert last.outcome is not None and last.outcome.routing is Routing.BOOKED
    assert last.outcome.promise == RecordPromise(date(2026, 3, 18), Money(21_000, "USD"))
    assert "the rest of the balance is settled" in last.reply


def test_a_settlement_below_the_floor_is_countered_and_a_refusal_reaches_a_person() -> None:
    steps = talk(
        ctx(settlement=SETTLE),
        *VERIFIED,
        "I can give you 100 dollars as full and final settlement",
        "no",
    )
    assert (
        "The lowest I can accept to settle the account in full is $200, paid by Wednesday, March 18"
        in steps[3].reply
    )
    last = steps[-1]
    task = next(a for a in last.actions if isinstance(a, OpenTask))
    assert task.reason == "settlement" and task.proposal is not None and "100 dollars" in task.proposal
    assert not any(isinstance(a, OfferSettlement) for s in steps for a in s.actions)


def test_without_a_settlement_floor_a_settlement_offer_goes_to_a_person() -> None:
    last = talk(ctx(), *VERIFIED, "I can pay $150 to settle the account")[-1]
    assert last.outcome is not None and last.outcome.routing is Routing.SENT_TO_REVIEW
    assert next(a for a in last.actions if isinstance(a, OpenTask)).reason == "settlement"


def test_an_escalation_during_negotiation_still_stops_collection() -> None:
    steps = talk(
        ctx(settlement=SETTLE),
        *VERIFIED,
        "can I pay 210 as a full and final settlement",
        "my lawyer is handling this now",
    )
    last = steps[-1]
    assert last.outcome is not None and last.outcome.routing is Routing.ESCALATED
    assert not any(isinstance(a, OfferSettlement) for a in last.actions)


def test_spanish_negotiation_replies_in_spanish() -> None:
    spanish = ctx(settlement=SETTLE, locale="es-US")
    opened = start(spanish)
    state = replace(opened.state, language="es", verified=True, stage=Stage.ASK)
    heard = understand(
        "puedo pagar 210 dólares para saldar la cuenta", NOW, "sms", language="es-US", default_currency="USD"
    )
    offer = step(state, heard, spanish)
    assert offer.state.stage is Stage.SETTLE_CONFIRM
    assert "Puedo aceptar" in offer.reply and "210" in offer.reply and "miércoles 18 de marzo" in offer.reply
    booked = step(
        offer.state, understand("sí", NOW, "sms", language="es-US", default_currency="USD"), spanish
    )
    assert OfferSettlement(Money(21_000, "USD"), date(2026, 3, 18), "sms") in booked.actions
    assert "el resto del saldo queda cancelado" in booked.reply


def test_a_settlement_offer_the_model_cannot_read_gets_the_clarifying_question_first() -> None:
    """Safety before fluency: an unsure reading never proceeds, even when its words parse as terms."""
    steps = talk(ctx(settlement=SETTLE), *VERIFIED, "would you take $210 to settle this")
    assert steps[-1].state.clarifying and steps[-1].state.stage is Stage.ASK
    assert not any(isinstance(a, OfferSettlement) for s in steps for a in s.actions)
