"""Simulated phone calls: a simulated customer answers the AI agent turn by turn, in words.

The customer only hears the agent's replies and answers as a person with their persona would, so a demo
call exercises the real conversation path: disclosure, verification, balance, the ask, the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from arrears.conversations.service import ConversationService
from arrears.store.db import transaction

MAX_TURNS = 10


@dataclass(frozen=True)
class CallScript:
    """What this person knows and means to say."""

    name: str
    identity_answer: str
    main_line: str  # what they say when asked to pay (a promise, a dispute, a request for the link...)


def answer(reply: str, script: CallScript, said_main: bool) -> tuple[str, bool]:
    """The customer's next words for an agent reply, and whether the main line has now been said."""
    text = reply.lower()
    if "am i speaking with" in text or "is this " in text:
        return "yes, speaking", said_main
    if "confirm your" in text or "tell me your" in text:
        return script.identity_answer, said_main
    if "is that right" in text or "is that correct" in text or "shall i" in text:
        return "yes that's right", said_main
    if not said_main and ("today" in text or "pay" in text or "help" in text):
        return script.main_line, True
    return "okay, thank you, bye", said_main


def simulate_call(
    sessions: sessionmaker[Session],
    service: ConversationService,
    *,
    case_id: str,
    call_id: str,
    destination: str,
    outbox_id: str | None,
    script: CallScript,
    at: datetime,
) -> int:
    """Run one answered call to its end; returns the number of customer turns."""
    now = at
    with transaction(sessions) as session:
        opened = service.open(
            session,
            case_id=case_id,
            channel="voice",
            provider="demo",
            provider_conversation_id=call_id,
            now=now,
            destination=destination,
            outbox_id=outbox_id,
        )
    reply, ended, said_main = opened.reply, opened.ended, False
    turns = 0
    while not ended and turns < MAX_TURNS:
        words, said_main = answer(reply, script, said_main)
        now += timedelta(seconds=20)
        turns += 1
        with transaction(sessions) as session:
            result = service.turn(
                session, opened.conversation_id, words, turn_key=f"{call_id}:{turns}", now=now
            )
        reply, ended = result.reply, result.ended
    if not ended:
        with transaction(sessions) as session:
            conv = service.get(session, opened.conversation_id)
            if conv is not None:
                service.abandon(session, conv, now, "the customer hung up")
    return turns
