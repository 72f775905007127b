"""Behaviours added to make understanding generalise: each case is written for this test, not taken from the
evaluation corpora or the paraphrase sets, and checks one mechanism (a word class, negation scope, a date
or amount form, a language request)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from arrears.agent import Label, understand

REF = datetime(2026, 3, 4, 10, 0)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "main"),
    [
        ("we should be able to remit it thursday", Label.PROMISE_TO_PAY),
        ("hopefully can get you the money monday", Label.PROMISE_TO_PAY),
        ("your invoice is approved and goes out with the next payment batch", Label.PROMISE_TO_PAY),
        ("the balance was cleared last week", Label.ALREADY_PAID),
        ("it's been paid mate", Label.ALREADY_PAID),
        ("I'd like to shut down my subscription", Label.CANCEL_SERVICE),
        ("i do not want to terminate the contract, just need to sort the bill", Label.UNCLEAR),
        ("why did the total go up", Label.QUESTION),
        ("we have no funds at present", Label.HARDSHIP),
        ("can i discuss it with one of your staff", Label.HUMAN_AGENT),
        ("pls remove me from your call list", Label.CEASE_CONTACT),
        ("not a penny more", Label.REFUSE),
        ("could it be spread over the next few months", Label.PAYMENT_PLAN),
    ],
)
def test_word_classes(text: str, main: Label) -> None:
    """The rules' word classes (they are features of the learned combiner); with the combiner, the reading
    is the same or more cautious: it may hand a turn to a person that the rules would have kept."""
    assert understand(text, REF, "chat", fallback=False).main is main
    combined = understand(text, REF, "chat")
    assert combined.main is main or combined.escalation, combined.labels


@pytest.mark.parametrize(
    "text",
    [
        "Parlez-vous français ?",
        "no entiendo nada, ¿hay alguien en español?",
        "Können Sie mir das auf Deutsch erklären?",
        "pode falar em português por favor",
        "aap hindi mein bol sakte ho",
        "proszę po polsku",
        "可以讲中文吗",
    ],
)
def test_language_requests_in_other_languages(text: str) -> None:
    assert understand(text, REF, "voice").main is Label.LANGUAGE


def test_a_turn_merely_in_another_language_is_not_a_language_request() -> None:
    u = understand("Je vais payer vendredi", REF, "sms")
    assert u.main is Label.PROMISE_TO_PAY
    assert Label.LANGUAGE not in u.labels
    assert u.date == date(2026, 3, 6)


def test_a_condition_is_not_a_promise() -> None:
    assert understand("is there a fee if i pay on the 20th", REF, "chat").main is Label.QUESTION


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("i'll pay half now and the other half on the 28th", date(2026, 3, 28)),
        ("will pay within 3 working days", date(2026, 3, 9)),
        ("i'll pay by the end of the week", date(2026, 3, 6)),
        ("can pay in a fortnight", date(2026, 3, 18)),
        ("i'll transfer it first thing tomorrow", date(2026, 3, 5)),
    ],
)
def test_promise_dates(text: str, day: date) -> None:
    u = understand(text, REF, "sms")
    assert u.main is Label.PROMISE_TO_PAY
    assert u.date == day


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("i can do one twenty five on friday", "125.00"),
        ("will send 3k on monday", "3000.00"),
        ("i can pay two lakh next week", "200000.00"),
        ("i can pay eighty quid tomorrow", "80.00"),
        ("£30 saturday", "30.00"),
    ],
)
def test_amounts(text: str, amount: str) -> None:
    assert understand(text, REF, "sms").amount == amount


def test_short_hedged_time_answer_is_a_promise_without_a_date() -> None:
    u = understand("probably next month", REF, "sms")
    assert u.main is Label.PROMISE_TO_PAY
    assert u.date is None


def test_reading_a_phone_number_is_not_a_card_or_an_amount() -> None:
    u = understand("you can reach me on 07700 900461", REF, "chat")
    assert not u.contains_card and u.amount is None
