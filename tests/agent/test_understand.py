"""Behaviour of ``understand`` on turns written for these tests (not taken from the eval corpora)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.agent import ESCALATION, Label, understand
from arrears.agent.text import MAX_CHARS

REF = datetime(2026, 3, 4, 10, 0)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "channel", "main"),
    [
        ("could you text me a link so i can settle up", "voice", Label.PAY_NOW),
        ("i will have the money for you next friday", "voice", Label.PROMISE_TO_PAY),
        ("any chance i can spread it over six months", "chat", Label.PAYMENT_PLAN),
        ("we sent the payment last thursday", "email", Label.ALREADY_PAID),
        ("that charge is not mine, i never signed up", "sms", Label.DISPUTE),
        ("they cut my hours and i can not afford it", "voice", Label.HARDSHIP),
        ("my wife just passed away last week", "voice", Label.VULNERABLE),
        ("speak to my solicitor about it", "voice", Label.LEGAL),
        ("we have gone into liquidation", "email", Label.BANKRUPTCY),
        ("stop ringing me every day", "voice", Label.CEASE_CONTACT),
        ("STOP", "sms", Label.OPT_OUT),
        ("STOP", "voice", Label.CEASE_CONTACT),
        ("sorry mate wrong number", "sms", Label.WRONG_PARTY),
        ("my father died in january", "voice", Label.DECEASED),
        ("in a meeting, call me back later", "voice", Label.CALLBACK),
        ("please cancel my subscription", "chat", Label.CANCEL_SERVICE),
        ("how much is left on the bill?", "sms", Label.QUESTION),
        ("can i talk to a real person", "chat", Label.HUMAN_AGENT),
        ("do you have anyone who speaks polish", "voice", Label.LANGUAGE),
        ("i refuse to pay this", "email", Label.REFUSE),
        ("yes speaking", "voice", Label.AFFIRM),
        ("nope", "sms", Label.DENY),
        ("hello?", "voice", Label.UNCLEAR),
    ],
)
def test_main_label(text: str, channel: str, main: Label) -> None:
    u = understand(text, REF, channel)
    assert u.main is main or (main in u.labels and u.main in ESCALATION), u.labels


def test_negation_cancels_the_label() -> None:
    labels = understand("i am not disputing it i just need a payment plan", REF, "voice").labels
    assert Label.DISPUTE not in labels
    assert labels[0] is Label.PAYMENT_PLAN


def test_lawyer_advice_is_not_a_legal_threat() -> None:
    u = understand("my attorney said i should pay so i will pay it on monday", REF, "voice")
    assert Label.LEGAL not in u.labels
    assert u.main is Label.PROMISE_TO_PAY
    assert u.date == date(2026, 3, 9)


def test_two_labels_keep_precedence() -> None:
    u = understand("we got laid off but i can do eighty dollars on the 20th", REF, "voice")
    assert u.labels[:2] == (Label.HARDSHIP, Label.PROMISE_TO_PAY)
    assert (u.amount, u.currency, u.amount_minor) == ("80.00", "USD", 8000)
    assert u.date == date(2026, 3, 20)


def test_promise_resolves_forward_and_payment_backward() -> None:
    assert understand("i will pay on wednesday", REF, "sms").date == date(2026, 3, 11)
    assert understand("i paid it on wednesday", REF, "sms").date == date(2026, 2, 25)
    assert understand("i paid on the 10th", REF, "sms").date == date(2026, 2, 10)
    assert understand("i'll pay on the 10th", REF, "sms").date == date(2026, 3, 10)


def test_callback_time_is_not_a_payment_date() -> None:
    assert understand("call me tomorrow", REF, "voice").date is None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("i can pay £1,234.56 tomorrow", "1234.56", "GBP"),
        ("i'll send two hundred fifty on friday", "250.00", None),
        ("i will pay 1.2 million yen next week", "1200000", "JPY"),
        ("i can do USD 75 on monday", "75.00", "USD"),
        ("i can pay three hundred and ten dollars and five cents tomorrow", "310.05", "USD"),
    ],
)
def test_amounts(text: str, amount: str, currency: str | None) -> None:
    u = understand(text, REF, "sms")
    assert (u.amount, u.currency) == (amount, currency)


def test_default_currency_fills_bare_amounts_and_dollars() -> None:
    u = understand("i can pay 40 on friday", REF, "sms", default_currency="CAD")
    assert (u.amount, u.currency, u.amount_minor) == ("40.00", "CAD", 4000)
    assert understand("i can pay $40 friday", REF, "sms", default_currency="AUD").currency == "AUD"
    assert understand("i can pay $40 friday", REF, "sms", default_currency="GBP").currency == "USD"


def test_counts_and_references_are_not_money() -> None:
    assert understand("i called 3 times about invoice 5521", REF, "email").amount is None
    assert understand("i filed chapter 13 in 2024", REF, "email").amount is None


def test_card_number_is_detected_and_masked() -> None:
    u = understand("ok take it, 4000 0566 5566 5556 exp 01/29", REF, "chat")
    assert u.contains_card
    assert "5556" not in u.redacted and "4000" not in u.redacted
    assert u.main is Label.PAY_NOW


def test_spoken_card_and_code_are_masked() -> None:
    spoken = "six zero one one zero zero zero nine nine zero one three nine four two four"
    u = understand(f"it's {spoken} and the code on the back is four five six", REF, "voice")
    assert u.contains_card
    assert "six zero" not in u.redacted and "four five six" not in u.redacted


def test_spanish_card_read_out_and_security_code_are_masked() -> None:
    spoken = "seis cero uno uno cero cero cero nueve nueve cero uno tres nueve cuatro dos cuatro"
    u = understand(f"mi tarjeta es {spoken} y el código de seguridad es 456", REF, "voice")
    assert u.contains_card
    assert "seis cero" not in u.redacted and "456" not in u.redacted
    assert understand("los tres dígitos de atrás son 907", REF, "whatsapp").contains_card


def test_spanish_counting_words_and_invoice_numbers_are_not_cards() -> None:
    for text in ("tengo dos hijos y tres perros y uno más", "pago 250 el 15, factura 4000 0566 5566 5557"):
        assert not understand(text, REF, "sms").contains_card, text


def test_luhn_failing_number_is_not_a_card() -> None:
    u = understand("my reference is 4000 0566 5566 5557", REF, "email")
    assert not u.contains_card
    assert "5557" in u.redacted


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "🙂🙂🙂", "qwpeoriu zxmcnv", "Ich weiß es nicht"])
def test_junk_is_unclear(text: str) -> None:
    u = understand(text, REF, "sms")
    assert u.labels == (Label.UNCLEAR,)
    assert u.date is None and u.amount is None and not u.contains_card


def test_non_utf8_bytes_are_survived() -> None:
    u = understand(b"\xff\xfe i paid \xc3 yesterday", REF, "sms")
    assert u.main is Label.ALREADY_PAID
    assert u.date == date(2026, 3, 3)


def test_huge_input_is_capped() -> None:
    u = understand("i will pay tomorrow " + "blah " * 100_000, REF, "chat")
    assert u.main is Label.PROMISE_TO_PAY
    assert len(u.redacted) <= MAX_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["sms", "voice", "email", "chat", "whatsapp"]))
def test_random_unicode_never_crashes(text: str, channel: str) -> None:
    u = understand(text, REF, channel)
    assert u.labels
    assert len(u.redacted) <= MAX_CHARS


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    assert understand(data, REF, "sms").labels
