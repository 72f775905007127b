"""The verification limit on both databases: failed answers are stored against the customer, so they add up
across conversations and channels, lock the identity out, open one task for a person, and expire."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.conversations.context import AgentConfig
from arrears.conversations.service import ConversationService, TurnResult
from arrears.store.db import make_engine, session_factory
from arrears.store.models import AuditEntry, Outcome, Task
from tests.conversations.support import NOW, PHONE, POSTCODE, seed_case

SERVICE = ConversationService(AgentConfig(business_name="Brightwater Energy", callback_number="555 0100"))
THREAD = f"{PHONE}|+15005550006"


def _open(sessions: sessionmaker[Session], case_id: str, channel: str, key: str) -> str:
    with sessions.begin() as session:
        return SERVICE.open(
            session, case_id=case_id, channel=channel, provider="web", provider_conversation_id=key, now=NOW
        ).conversation_id


def _say(sessions: sessionmaker[Session], conversation_id: str, text: str, key: str, at: timedelta) -> str:
    with sessions.begin() as session:
        return SERVICE.turn(session, conversation_id, text, turn_key=key, now=NOW + at).reply


def _text(sessions: sessionmaker[Session], text: str, key: str, at: timedelta) -> TurnResult:
    with sessions.begin() as session:
        result = SERVICE.message(
            session,
            channel="sms",
            provider="twilio",
            thread=THREAD,
            message_id=key,
            sender=PHONE,
            text=text,
            now=NOW + at,
        )
    assert result is not None
    return result


def _revealed(reply: str) -> bool:
    return "243" in reply or "INV-1001" in reply or "overdue" in reply


def _lock_out(sessions: sessionmaker[Session], case_id: str) -> str:
    """Two wrong postcodes in a chat, a third by text: the third locks out. Returns the last reply."""
    chat = _open(sessions, case_id, "chat", "chat-1")
    _say(sessions, chat, "yes", "c1", timedelta(minutes=1))
    assert not _revealed(_say(sessions, chat, "90210", "c2", timedelta(minutes=2)))
    assert not _revealed(_say(sessions, chat, "90211", "c3", timedelta(minutes=3)))  # this chat ends
    _text(sessions, "hi, about my bill", "SM1", timedelta(hours=1))
    _text(sessions, "yes it's me", "SM2", timedelta(hours=1, minutes=1))
    last = _text(sessions, "90212", "SM3", timedelta(hours=1, minutes=2))
    assert last.ended
    return last.reply


def test_a_text_listing_a_hundred_postcodes_reveals_nothing_and_counts_as_a_failure(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    _text(sessions, "hi", "SM1", timedelta(0))
    _text(sessions, "yes", "SM2", timedelta(minutes=1))
    guesses = ", ".join(str(10000 + n) for n in range(100))
    reply = _text(sessions, guesses, "SM3", timedelta(minutes=2)).reply
    assert "postcode" in reply and not _revealed(reply)
    with sessions() as session:
        failures = session.scalars(select(AuditEntry.entity).where(AuditEntry.action == "identity_failed"))
        assert failures.all() == ["customer"]


def test_three_wrong_answers_across_conversations_and_channels_lock_out_once(
    sessions: sessionmaker[Session],
) -> None:
    case_id = seed_case(sessions)
    reply = _lock_out(sessions, case_id)
    assert "555 0100" in reply and not _revealed(reply)
    with sessions() as session:
        tasks = session.scalars(select(Task)).all()
        assert [t.reason for t in tasks] == ["identity_locked"]
        assert "243" not in tasks[0].summary
        routings = session.scalars(select(Outcome.routing).order_by(Outcome.created_at)).all()
        assert routings == ["retried", "sent_to_review"]


def test_after_lock_out_the_right_answer_reveals_nothing_on_any_channel(
    sessions: sessionmaker[Session],
) -> None:
    case_id = seed_case(sessions)
    _lock_out(sessions, case_id)
    call = _open(sessions, case_id, "voice", "CA1")
    replies = [
        _say(sessions, call, text, f"v{n}", timedelta(hours=2)) for n, text in enumerate(["yes", POSTCODE])
    ]
    assert "555 0100" in replies[0] and not any(_revealed(r) for r in replies)
    with sessions() as session:
        assert len(session.scalars(select(Task)).all()) == 1  # the lock-out's task, not one per attempt


def test_failures_expire_after_the_window_and_a_right_answer_verifies_again(
    sessions: sessionmaker[Session],
) -> None:
    case_id = seed_case(sessions)
    _lock_out(sessions, case_id)
    chat = _open(sessions, case_id, "chat", "chat-2")
    _say(sessions, chat, "yes", "d1", timedelta(hours=26))
    reply = _say(sessions, chat, POSTCODE, "d2", timedelta(hours=26))
    assert "$243.50" in reply and "INV-1001" in reply


def test_guesses_sent_at_once_in_two_conversations_still_count_one_after_the_other(
    postgres_url: str,
) -> None:
    """On PostgreSQL two turns run in parallel: each must count the other's failure, or parallel
    conversations would multiply the attempts allowed."""
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    try:
        case_id = seed_case(sessions)
        first, second = _open(sessions, case_id, "chat", "chat-a"), _open(sessions, case_id, "chat", "chat-b")
        _say(sessions, first, "yes", "a1", timedelta(minutes=1))
        _say(sessions, first, "90210", "a2", timedelta(minutes=1))
        _say(sessions, second, "yes", "b1", timedelta(minutes=1))
        with sessions.begin() as session:
            SERVICE.turn(session, first, "90211", turn_key="a3", now=NOW + timedelta(minutes=2))
            parallel = threading.Thread(
                target=_say, args=(sessions, second, "90212", "b2", timedelta(minutes=2))
            )
            parallel.start()
            parallel.join(timeout=1.0)
            assert parallel.is_alive()  # waits for the first turn's failure to be committed
        parallel.join(timeout=30)
        with sessions() as session:
            assert session.scalars(select(Task.reason)).all() == ["identity_locked"]
    finally:
        engine.dispose()
