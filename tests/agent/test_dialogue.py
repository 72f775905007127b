"""End-to-end transcripts: customer words -> understand() -> dialogue step, checked turn by turn."""

from __future__ import annotations

from datetime import date, datetime

from arrears.agent import understand
from arrears.agent.dialogue import (
    CaseContext,
    ConversationState,
    IdentityCheck,
    MarkWrongNumber,
    OpenTask,
    PlanBounds,
    RecordPromise,
    Routing,
    ScheduleCallback,
    SendPaymentLink,
    Stage,
    Step,
    Urgency,
    WarmTransfer,
    start,
    step,
    voicemail,
)
from arrears.core.money import Money

NOW = datetime(2026, 3, 4, 10, 0)  # Wednesday


def ctx(**overrides: object) -> CaseContext:
    base: dict[str, object] = dict(
        customer_name="Dana Reyes",
        identity=IdentityCheck("date_of_birth", "1984-07-12"),
        business_name="Brightwater Energy",
        balance=Money(24_350, "USD"),
        days_overdue=21,
        today=NOW.date(),
        invoice_numbers=("INV-1001",),
        disclosures=("This is an attempt to collect a debt.",),
        callback_number="555 0100",
        plan_bounds=PlanBounds(Money(5_000, "USD"), 6),
    )
    base.update(overrides)
    return CaseContext(**base)  # type: ignore[arg-type]


def talk(case: CaseContext, *turns: str) -> list[Step]:
    steps = [start(case)]
    state: ConversationState = steps[0].state
    for text in turns:
        result = step(state, understand(text, NOW, case.channel, default_currency="USD"), case)
        steps.append(result)
        state = result.state
    return steps


def test_opening_discloses_ai_and_says_nothing_about_the_debt() -> None:
    first = start(ctx()).reply
    assert "automated" in first and "Brightwater" in first and "Dana Reyes" in first
    assert "243" not in first and "overdue" not in first


def test_promise_is_captured_read_back_and_recorded() -> None:
    steps = talk(ctx(), "yes speaking", "july 12th 1984", "i can pay a hundred on friday", "yes that's right")
    assert steps[2].state.verified and "attempt to collect a debt" in steps[2].reply
    assert "$243.50" in steps[2].reply and "21 days overdue" in steps[2].reply
    assert steps[3].state.stage is Stage.PROMISE_CONFIRM
    assert "To confirm: $100 on Friday, March 6." in steps[3].reply
    last = steps[4]
    promise = RecordPromise(date(2026, 3, 6), Money(10_000, "USD"))
    assert promise in last.actions
    assert last.outcome is not None and last.outcome.routing is Routing.BOOKED
    assert last.outcome.promise == promise


def test_promise_without_amount_asks_and_full_balance_on_yes() -> None:
    steps = talk(ctx(), "yes", "12/07/1984", "i'll pay it next monday", "yes the full amount", "correct")
    assert steps[3].state.stage is Stage.PROMISE_AMOUNT
    assert RecordPromise(date(2026, 3, 9), Money(24_350, "USD")) in steps[5].actions


def test_date_beyond_the_limit_is_refused_not_recorded() -> None:
    steps = talk(ctx(max_promise_days=10), "yes", "july 12 1984", "i will pay $50 on the 30th")
    assert "between today and" in steps[3].reply
    assert not any(isinstance(a, RecordPromise) for s in steps for a in s.actions)


def test_wrong_party_learns_nothing_and_number_is_marked() -> None:
    steps = talk(ctx(), "no, wrong number mate")
    last = steps[1]
    assert MarkWrongNumber() in last.actions
    assert last.outcome is not None and last.outcome.routing is Routing.CLOSED
    assert "243" not in last.reply and "Brightwater" not in last.reply


def test_failed_verification_never_reveals_the_balance() -> None:
    steps = talk(ctx(), "yes", "march 3 1990", "june 1 1991")
    assert all("243" not in s.reply for s in steps)
    assert steps[-1].outcome is not None and steps[-1].outcome.routing is Routing.RETRIED


def test_escalation_stops_collection_and_transfers_when_staff_available() -> None:
    steps = talk(ctx(staff_available=True), "yes", "july 12 1984", "i lost my job last month, i can't pay")
    last = steps[-1]
    assert any(isinstance(a, WarmTransfer) for a in last.actions)
    task = next(a for a in last.actions if isinstance(a, OpenTask))
    assert task.reason == "hardship" and "Dana Reyes" in task.summary
    assert last.outcome is not None and last.outcome.routing is Routing.ESCALATED
    assert not any(isinstance(a, SendPaymentLink | RecordPromise) for a in last.actions)


def test_escalation_without_staff_schedules_a_callback() -> None:
    last = talk(ctx(), "yes", "july 12 1984", "my mum has dementia and can't manage this")[-1]
    assert any(isinstance(a, ScheduleCallback) for a in last.actions)
    assert last.outcome is not None and last.outcome.urgency is Urgency.HIGH


def test_card_number_is_stopped_refused_and_a_link_sent_never_repeated() -> None:
    steps = talk(ctx(), "yes", "july 12 1984", "sure my card is 4111 1111 1111 1111 and the cvv is 123")
    card_step = steps[-1]
    assert SendPaymentLink("sms") in card_step.actions
    assert "4111" not in card_step.reply
    assert all("4111" not in t.text and "123" not in t.text for t in card_step.state.transcript)


def test_plan_within_bounds_is_offered_and_recorded() -> None:
    steps = talk(ctx(), "yes", "july 12 1984", "can i do $50 a month starting on the 15th", "yes please")
    assert steps[3].state.stage is Stage.PLAN_CONFIRM and "5 monthly payments of $50" in steps[3].reply
    assert RecordPromise(date(2026, 3, 15), Money(5_000, "USD"), 5) in steps[4].actions


def test_plan_outside_bounds_is_countered_and_a_refused_counter_goes_to_a_person() -> None:
    steps = talk(ctx(), "yes", "july 12 1984", "could i pay $10 a month", "no")
    assert "I can't agree that myself, but I can offer you 5 monthly payments of $50" in steps[3].reply
    last = steps[-1]
    assert last.outcome is not None and last.outcome.routing is Routing.SENT_TO_REVIEW
    task = next(a for a in last.actions if isinstance(a, OpenTask))
    assert task.proposal is not None and "could i pay $10 a month" in task.proposal


def test_question_is_answered_from_the_record_then_pay_now_sends_link() -> None:
    steps = talk(ctx(), "yes", "july 12 1984", "which invoice is this for?", "ok send me the link")
    assert "INV-1001" in steps[3].reply
    assert SendPaymentLink("sms") in steps[4].actions
    assert steps[4].outcome is not None and steps[4].outcome.routing is Routing.BOOKED


def test_refusal_gets_one_objection_then_closes_nurtured() -> None:
    steps = talk(ctx(), "yes", "july 12 1984", "i'm not paying that", "no")
    assert steps[3].state.objection == "refused"
    assert steps[4].outcome is not None and steps[4].outcome.routing is Routing.NURTURED


def test_voicemail_has_limited_content() -> None:
    message = voicemail(ctx())
    assert "Dana Reyes" in message and "555 0100" in message
    assert "debt" not in message and "243" not in message and "overdue" not in message


def test_amounts_dates_and_day_counts_read_the_customers_way() -> None:
    """The English dialogue writes money and dates in the customer's region, never "1 days" or "USD"."""
    british = ctx(locale="en-GB", balance=Money(24_350, "GBP"), days_overdue=1)
    steps = talk(british, "yes speaking", "july 12th 1984", "i can pay £100 on friday")
    assert "£243.50" in steps[2].reply and "1 day overdue" in steps[2].reply
    assert "To confirm: £100 on Friday, 6 March." in steps[3].reply
    spanish = ctx(locale="es-ES", balance=Money(123_450, "EUR"))
    verified = talk(spanish, "yes speaking", "july 12th 1984")
    assert "1.234,50 €" in verified[2].reply and "EUR" not in verified[2].reply
