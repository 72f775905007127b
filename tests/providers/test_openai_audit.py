"""Each conversation turn's audit record says what the LLM read, whether it agreed with the local model
and what it added (None when it failed), so a team can count what the second opinion is worth."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.agent import understand
from arrears.conversations.context import AgentConfig
from arrears.conversations.service import ConversationService, TurnResult
from arrears.providers.openai.backend import LLMBackend
from arrears.store.models import AuditEntry
from tests.conversations.support import NOW, PHONE, seed_case
from tests.fakes.openai_api import FakeOpenAI, fake_openai

TEXT = "same as always around the 20th, 45 quid"


@pytest.fixture
def server() -> Iterator[tuple[FakeOpenAI, str]]:
    with fake_openai() as running:
        yield running


def _first_text(
    sessions: sessionmaker[Session], url: str, text: str
) -> tuple[ConversationService, TurnResult]:
    """A seeded case, a service asking the LLM at `url`, and the customer's first text on it."""
    service = ConversationService(
        AgentConfig(business_name="Brightwater Energy"),
        understand_fn=LLMBackend(url, "audit-model", None, 2.0).understand,
    )
    seed_case(sessions)
    with sessions.begin() as session:
        first = service.message(
            session,
            channel="sms",
            provider="twilio",
            thread=f"{PHONE}|+15005550006",
            message_id="SM1",
            sender=PHONE,
            text=text,
            now=NOW,
        )
    assert first is not None
    return service, first


def _turn_record(sessions: sessionmaker[Session], url: str) -> dict[str, Any]:
    _first_text(sessions, url, TEXT)
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "conversation_turn")).one()
        return dict(entry.data)


def test_the_turn_record_holds_the_second_opinion(
    sessions: sessionmaker[Session], server: tuple[FakeOpenAI, str]
) -> None:
    fake, url = server
    fake.reply = {"labels": ["dispute", "question"], "date": None, "amount": None, "currency": None}
    local = understand(TEXT, NOW, "sms", default_currency="USD")
    assert local.main.value == "unclear" or local.unsure  # the local model leaves this turn open
    data = _turn_record(sessions, url)
    assert data["second_opinion"] == {
        "model": "audit-model",
        "labels": ["dispute", "question"],
        "agreed": False,
        "added": ["dispute", "question"],
    }
    assert data["labels"][0] == "dispute"  # what the model heard reached the turn's reading
    assert data["routing"] == "escalated"


def test_a_failed_second_opinion_is_recorded_as_none(
    sessions: sessionmaker[Session], server: tuple[FakeOpenAI, str]
) -> None:
    fake, url = server
    fake.status = 429
    data = _turn_record(sessions, url)
    assert data["second_opinion"] is None
    assert data["labels"] == [
        label.value for label in understand(TEXT, NOW, "sms", default_currency="USD").labels
    ]


def test_a_live_conversation_gives_the_second_opinion_its_earlier_turns_and_the_account(
    sessions: sessionmaker[Session], server: tuple[FakeOpenAI, str]
) -> None:
    """The conversation service passes what a second opinion needs; the balance only after verification."""
    fake, url = server
    fake.reply = {"labels": ["affirm"], "date": None, "amount": None, "currency": None}
    service, first = _first_text(sessions, url, "yes speaking")
    with sessions.begin() as session:
        service.turn(session, first.conversation_id, "its 10001", turn_key="SM2", now=NOW)
    opening, second = (json.loads(body["messages"][1]["content"]) for _, body in fake.requests[-2:])
    assert opening["earlier_turns"] == [] and opening["account"]["balance"] == ""
    assert opening["account"]["stage"] == "opening"
    assert {"speaker": "customer", "text": "yes speaking"} in second["earlier_turns"]
    assert second["earlier_turns"][-1]["speaker"] == "agent"
    assert second["account"]["stage"] == "verify" and second["account"]["balance"] == ""
