"""A turn the model cannot read with confidence never moves collection on: one clarifying question, then a
person with the turn quoted. The readings are the model's own, marked unsure as the model marks them."""

from __future__ import annotations

from dataclasses import replace

from arrears.agent import Label, understand
from arrears.agent.dialogue import OpenTask, Routing, SendPaymentLink, Stage, Step, step
from arrears.agent.understand import Understanding
from tests.agent.test_dialogue import NOW, ctx, talk


def _unsure(text: str) -> Understanding:
    reading = understand(text, NOW, "sms", default_currency="USD")
    return replace(reading, unsure=True, labels=(Label.PAY_NOW,), confidence=0.12)


def _at_ask() -> Step:
    steps = talk(ctx(), "yes", "july 12 1984")
    assert steps[-1].state.stage is Stage.ASK
    return steps[-1]


def test_an_unsure_reading_gets_one_clarifying_question_and_no_collection_step() -> None:
    asked = step(_at_ask().state, _unsure("mmm the thing with the stuff"), ctx())
    assert asked.state.clarifying and asked.state.stage is Stage.ASK
    assert "make sure I understand" in asked.reply
    assert asked.actions == () and asked.outcome is None  # the link the guess pointed at is not sent


def test_unsure_twice_goes_to_a_person_with_the_turn_quoted() -> None:
    case = ctx()
    asked = step(_at_ask().state, _unsure("mmm the thing with the stuff"), case)
    handed = step(asked.state, _unsure("you know what i mean the other thing"), case)
    assert handed.outcome is not None and handed.outcome.routing is Routing.SENT_TO_REVIEW
    tasks = [a for a in handed.actions if isinstance(a, OpenTask)]
    assert len(tasks) == 1 and "you know what i mean the other thing" in tasks[0].summary
    assert not any(isinstance(a, SendPaymentLink) for a in handed.actions)


def test_a_clear_answer_after_the_question_carries_on() -> None:
    case = ctx()
    asked = step(_at_ask().state, _unsure("mmm the thing with the stuff"), case)
    paying = step(asked.state, understand("ok send me the link", NOW, "sms", default_currency="USD"), case)
    assert SendPaymentLink("sms") in paying.actions
    assert paying.outcome is not None and paying.outcome.routing is Routing.BOOKED


def test_an_escalation_is_never_unsure_and_goes_to_a_person_at_once() -> None:
    reading = understand(
        "we have retained counsel; direct all further communication to our attorneys", NOW, "email"
    )
    assert reading.escalation and not reading.unsure
    handed = step(_at_ask().state, reading, ctx())
    assert handed.outcome is not None and handed.outcome.routing is Routing.ESCALATED
