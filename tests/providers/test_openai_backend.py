"""The LLM backend against a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions shape."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from arrears.agent import Label, understand
from arrears.providers.openai.backend import LLMBackend
from tests.fakes.openai_api import FakeOpenAI, fake_openai

REF = datetime(2026, 3, 4, 10, 0)


@pytest.fixture
def server() -> Iterator[tuple[FakeOpenAI, str]]:
    with fake_openai() as running:
        yield running


def backend(url: str, timeout: float = 2.0) -> LLMBackend:
    return LLMBackend(url, "test-model", "sk-test", timeout)


def test_valid_answer_fills_what_the_rules_missed(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.reply = {"labels": ["promise_to_pay"], "date": "2026-03-20", "amount": "45", "currency": "gbp"}
    text = "same as always around the 20th, 45 quid"
    assert understand(text, REF, "sms").main is Label.UNCLEAR  # the local reading misses it
    u = backend(url).understand(text, REF, "sms")
    assert u.main is Label.PROMISE_TO_PAY
    headers, body = fake.requests[0]
    assert headers["Authorization"] == "Bearer sk-test"
    assert body["model"] == "test-model" and body["messages"][0]["role"] == "system"


def test_model_cannot_drop_an_escalation_or_see_card_data(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.reply = {"labels": ["pay_now"]}
    u = backend(url).understand("i lost my job, card 4111 1111 1111 1111", REF, "chat")
    assert Label.HARDSHIP in u.labels and u.contains_card
    sent = json.dumps(fake.requests[0][1])
    assert "4111" not in sent


@pytest.mark.parametrize(
    "setup",
    [
        lambda f: setattr(f, "reply", "not json at all"),
        lambda f: setattr(f, "reply", {"labels": ["not_a_label"]}),
        lambda f: setattr(f, "reply", {"labels": []}),
        lambda f: setattr(f, "reply", {"labels": ["affirm"], "currency": "XXQ"}),
        lambda f: setattr(f, "status", 500),
        lambda f: setattr(f, "raw", b'{"choices": []}'),
    ],
)
def test_any_bad_answer_leaves_the_deterministic_result(server: tuple[FakeOpenAI, str], setup: Any) -> None:
    fake, url = server
    setup(fake)
    b = backend(url)
    u = b.understand("i will pay $20 on friday", REF, "sms")
    assert (u.main, u.amount, u.date) == (Label.PROMISE_TO_PAY, "20.00", date(2026, 3, 6))
    assert b.failures == 1


def test_time_budget_is_hard(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.delay = 1.5
    fake.reply = {"labels": ["refuse"]}
    started = time.perf_counter()
    u = backend(url, timeout=0.2).understand("i will pay tomorrow", REF, "sms")
    assert time.perf_counter() - started < 0.8
    assert u.main is Label.PROMISE_TO_PAY


def test_connection_refused_falls_back() -> None:
    b = LLMBackend("http://127.0.0.1:9/v1", "m", None, 0.5)
    assert b.understand("wrong number", REF, "sms").main is Label.WRONG_PARTY
    assert b.failures == 1
