"""The conversation service on both databases: turns persist, actions land with the turn, replays write
nothing, and only redacted text is ever stored."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.agent.learned import load_combiner
from arrears.conversations.context import AgentConfig
from arrears.conversations.service import ConversationService
from arrears.store.models import (
    Conversation,
    Hold,
    Interaction,
    OptOut,
    OutboxAction,
    Outcome,
    Promise,
    Task,
)
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.parts import strategy_lookup
from tests.conversations.support import NOW, PHONE, seed_case

SERVICE = ConversationService(
    AgentConfig(business_name="Brightwater Energy", callback_number="555 0100"),
    strategy_for=strategy_lookup(StrategyLibrary.load(None)),
)


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _say(sessions: sessionmaker[Session], conversation_id: str, text: str, key: str) -> str:
    with sessions.begin() as session:
        return SERVICE.turn(session, conversation_id, text, turn_key=key, now=NOW).reply


def test_a_promise_is_captured_across_persisted_turns(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        opened = SERVICE.open(
            session,
            case_id=case_id,
            channel="chat",
            provider="web",
            provider_conversation_id="chat-1",
            now=NOW,
        )
    assert "Dana Reyes" in opened.reply and "243" not in opened.reply
    assert "postcode" in _say(sessions, opened.conversation_id, "yes speaking", "t1")
    balance = _say(sessions, opened.conversation_id, "it's 10001", "t2")
    assert "$243.50" in balance and "INV-1001" in balance
    _say(sessions, opened.conversation_id, "I can pay 243.50 on March 20", "t3")
    with sessions.begin() as session:
        last = SERVICE.turn(session, opened.conversation_id, "yes", turn_key="t4", now=NOW)
    assert last.ended and last.outcome_id
    with sessions() as session:
        promise = session.scalars(select(Promise)).one()
        assert (promise.due_on, promise.amount_minor, promise.currency) == (date(2026, 3, 20), 24350, "USD")
        outcome = session.scalars(select(Outcome)).one()
        assert (outcome.routing, outcome.idempotency_key, outcome.promise_amount_minor) == (
            "booked",
            "chat-1",
            24350,
        )
        model = load_combiner()  # the outcome names the model that read the turns, and its weakest reading
        assert outcome.model == f"{model.version}+{model.digest}"
        assert outcome.confidence is not None and model.thresholds.confident <= outcome.confidence < 1.0
        conv = session.scalars(select(Conversation)).one()
        assert (conv.status, conv.outcome_id, conv.turn) == ("ended", outcome.id, 4)
        transcript = session.scalars(select(Interaction.transcript_redacted)).one()
        assert transcript is not None and "customer: it's 10001" in transcript
    # A replayed last turn and a replayed opening change nothing.
    with sessions.begin() as session:
        again = SERVICE.turn(session, opened.conversation_id, "yes", turn_key="t4", now=NOW)
        reopened = SERVICE.open(
            session,
            case_id=case_id,
            channel="chat",
            provider="web",
            provider_conversation_id="chat-1",
            now=NOW,
        )
    assert again.replayed and again.reply == last.reply and reopened.replayed
    with sessions() as session:
        assert [_count(session, m) for m in (Promise, Outcome, Conversation, Interaction)] == [1, 1, 1, 1]


def test_card_numbers_are_refused_and_never_stored(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        opened = SERVICE.open(
            session,
            case_id=case_id,
            channel="voice",
            provider="twilio",
            provider_conversation_id="CA1",
            now=NOW,
        )
    _say(sessions, opened.conversation_id, "yes", "1")
    _say(sessions, opened.conversation_id, "10001", "2")
    reply = _say(sessions, opened.conversation_id, "my card is 4111 1111 1111 1111 expiry 12/29", "3")
    assert "can't take card details" in reply and "4111" not in reply
    with sessions() as session:
        stored = [session.scalars(select(Interaction.transcript_redacted)).one() or ""]
        stored += [str(c.state) for c in session.scalars(select(Conversation))]
        assert all("4111 1111" not in text and "41111111" not in text for text in stored)
        link = session.scalars(select(OutboxAction)).one()
        assert (link.channel, link.template, link.destination) == ("sms", "payment-link", PHONE)


def test_a_dispute_escalates_holds_the_case_and_opens_a_task(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    with sessions.begin() as session:
        result = SERVICE.message(
            session,
            channel="sms",
            provider="twilio",
            thread=f"{PHONE}|+15005550006",
            message_id="SM1",
            sender=PHONE,
            text="I never received this service, I dispute the bill",
            now=NOW,
        )
    assert result is not None and result.ended
    with sessions() as session:
        assert session.scalars(select(Hold.kind)).all() == ["dispute"]
        task = session.scalars(select(Task)).one()
        assert (
            task.reason == "dispute" and "243" not in task.summary
        )  # never verified: nothing about the debt
        assert session.scalars(select(Outcome.routing)).one() == "escalated"


def test_a_stop_in_conversation_is_an_opt_out_of_that_channel(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        first = SERVICE.message(
            session,
            channel="sms",
            provider="twilio",
            thread=f"{PHONE}|+15005550006",
            message_id="SM1",
            sender=PHONE,
            text="who is this",
            now=NOW,
        )
    assert first is not None and not first.ended and "Am I speaking with Dana Reyes" in first.reply
    with sessions.begin() as session:
        second = SERVICE.message(
            session,
            channel="sms",
            provider="twilio",
            thread=f"{PHONE}|+15005550006",
            message_id="SM2",
            sender=PHONE,
            text="unsubscribe",
            now=NOW,
        )
    assert second is not None and second.conversation_id == first.conversation_id and second.ended
    with sessions() as session:
        assert [(o.channel, o.reason) for o in session.scalars(select(OptOut))] == [("sms", "opt_out")]
    del case_id


def test_an_unknown_number_writes_nothing(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    with sessions.begin() as session:
        result = SERVICE.message(
            session,
            channel="sms",
            provider="twilio",
            thread="+19995550000|+15005550006",
            message_id="SM9",
            sender="+19995550000",
            text="hello",
            now=NOW,
        )
    assert result is None
    with sessions() as session:
        assert _count(session, Conversation) == 0 and _count(session, Interaction) == 0


def test_a_machine_gets_the_voicemail_only(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    for _ in range(2):
        with sessions.begin() as session:
            result = SERVICE.voicemail(
                session, case_id=case_id, provider="twilio", provider_conversation_id="CA9", now=NOW
            )
        assert "Brightwater Energy" in result.reply and "555 0100" in result.reply
        assert "243" not in result.reply and "debt" not in result.reply.lower()
    with sessions() as session:
        outcome = session.scalars(select(Outcome)).one()
        assert (outcome.idempotency_key, outcome.routing) == ("CA9", "retried")
