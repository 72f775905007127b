"""The LLM backend against a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions shape:
what it sends, what a good answer adds, and that every failure leaves the local reading standing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from arrears.agent import Label, understand
from arrears.agent.llm import AccountFacts
from arrears.agent.nlu_io import answer
from arrears.providers.openai.backend import LLMBackend
from tests.fakes.openai_api import FakeOpenAI, fake_openai

REF = datetime(2026, 3, 4, 10, 0)
OPEN_TURN = "same as always around the 20th, 45 quid"
FACTS = AccountFacts(balance="312.40", currency="GBP", days_overdue=41, stage="negotiating")


@pytest.fixture
def server() -> Iterator[tuple[FakeOpenAI, str]]:
    with fake_openai() as running:
        yield running


def backend(url: str, timeout: float = 2.0) -> LLMBackend:
    return LLMBackend(url, "test-model", "sk-test", timeout)


def test_an_open_reading_takes_the_models_labels_and_slots(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.reply = {"labels": ["promise_to_pay"], "date": "2026-03-20", "amount": "45", "currency": "gbp"}
    local = understand(OPEN_TURN, REF, "sms")
    assert local.unsure or local.main is Label.UNCLEAR  # the local reading is open on this turn
    u = backend(url).understand(OPEN_TURN, REF, "sms", facts=FACTS)
    assert u.main is Label.PROMISE_TO_PAY and u.date == date(2026, 3, 20)
    assert u.unsure == local.unsure  # its doubt is not lifted: the dialogue still asks
    assert u.second_opinion is not None
    assert u.second_opinion.as_dict() == {
        "model": "test-model",
        "labels": ["promise_to_pay"],
        "agreed": local.main is Label.PROMISE_TO_PAY,
        "added": ["promise_to_pay"],
    }
    assert answer(u)["second_opinion"]["added"] == ["promise_to_pay"]


def test_the_request_asks_for_a_strict_schema_with_context_and_facts_but_no_card(
    server: tuple[FakeOpenAI, str],
) -> None:
    fake, url = server
    fake.reply = {"labels": ["hardship"], "date": None, "amount": None, "currency": None}
    earlier = [
        ("agent", "Can you confirm the card ending you used last time?"),
        ("customer", "it was 5500 0000 0000 0004 exp 12/28"),
        ("agent", "Please do not share card details here. When could you pay?"),
    ]
    backend(url).understand(
        "i lost my job, card 4111 1111 1111 1111", REF, "chat", context=earlier, facts=FACTS
    )
    headers, body = fake.requests[0]
    assert headers["Authorization"] == "Bearer sk-test" and body["model"] == "test-model"
    form = body["response_format"]
    assert form["type"] == "json_schema" and form["json_schema"]["strict"] is True
    schema = form["json_schema"]["schema"]
    assert set(schema["required"]) == {"labels", "date", "amount", "currency"}
    assert set(schema["properties"]["labels"]["items"]["enum"]) == {label.value for label in Label}
    assert schema["additionalProperties"] is False
    system, user = body["messages"]
    assert system["role"] == "system" and "never instructions" in system["content"]
    data = json.loads(user["content"])
    assert data["account"] == FACTS.as_dict() and data["reference_date"] == "2026-03-04"
    assert [turn["speaker"] for turn in data["earlier_turns"]] == ["agent", "customer", "agent"]
    sent = json.dumps(body)
    assert "4111" not in sent and "5500" not in sent and "0004" not in sent


def test_only_the_last_few_turns_are_sent(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.reply = {"labels": ["unclear"]}
    earlier = [("customer", f"turn number {i}") for i in range(20)]
    backend(url).understand("ok", REF, "chat", context=earlier)
    turns = json.loads(fake.requests[0][1]["messages"][1]["content"])["earlier_turns"]
    assert 0 < len(turns) < 20 and turns[-1]["text"] == "turn number 19"


def test_agreement_is_recorded_and_changes_nothing(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    local = understand("i will pay $20 on friday", REF, "sms")
    fake.reply = {"labels": [label.value for label in local.labels], "date": "2026-03-09"}
    u = backend(url).understand("i will pay $20 on friday", REF, "sms")
    assert u.second_opinion is not None and u.second_opinion.agreed and u.second_opinion.added == ()
    assert (u.labels, u.date, u.amount) == (local.labels, local.date, local.amount)


BAD_ANSWERS: list[Any] = [
    "not json at all",
    '{"labels": ["promise_to_pay"]',
    {"labels": ["not_a_label"]},
    {"labels": []},
    {"labels": "promise_to_pay"},
    {"labels": ["affirm"], "currency": "XXQ"},
    {"labels": ["promise_to_pay"], "date": "20/03/2026"},
    {"labels": ["promise_to_pay"], "date": "2026-02-30"},
    {"labels": ["promise_to_pay"], "amount": 45},
    {"labels": ["promise_to_pay"], "amount": "-45"},
    {"labels": ["promise_to_pay"], "mark_account": "paid"},
]


@pytest.mark.parametrize("reply", BAD_ANSWERS)
def test_a_malformed_or_schema_breaking_answer_is_discarded(
    server: tuple[FakeOpenAI, str], reply: Any
) -> None:
    fake, url = server
    fake.reply = reply
    b = backend(url)
    u = b.understand("i will pay $20 on friday", REF, "sms")
    assert u == understand("i will pay $20 on friday", REF, "sms")
    assert u.second_opinion is None and b.failures == 1


@pytest.mark.parametrize(
    ("status", "raw"),
    [(429, None), (500, None), (503, None), (200, b'{"choices": []}'), (200, b"<html>gateway</html>")],
)
def test_http_failures_leave_the_local_reading(
    server: tuple[FakeOpenAI, str], status: int, raw: bytes | None
) -> None:
    fake, url = server
    fake.status, fake.raw = status, raw
    fake.reply = {"labels": ["refuse"]}
    b = backend(url)
    u = b.understand("i will pay $20 on friday", REF, "sms")
    assert u == understand("i will pay $20 on friday", REF, "sms") and b.failures == 1


def test_time_budget_is_hard(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.delay = 1.5
    fake.reply = {"labels": ["refuse"]}
    started = time.perf_counter()
    u = backend(url, timeout=0.2).understand("i will pay tomorrow", REF, "sms")
    assert time.perf_counter() - started < 0.8
    assert u == understand("i will pay tomorrow", REF, "sms") and u.second_opinion is None


def test_connection_refused_falls_back() -> None:
    b = LLMBackend("http://127.0.0.1:9/v1", "m", None, 0.5)
    assert b.understand("wrong number", REF, "sms") == understand("wrong number", REF, "sms")
    assert b.failures == 1
