"""The stored conversation state: every field survives the round trip between webhook calls, and a state
stored before a field existed still decodes (an English conversation, no counter-offer, a monthly plan)."""

from __future__ import annotations

from datetime import date

from arrears.agent.dialogue import ConversationState, Stage, Turn
from arrears.agent.labels import Label
from arrears.conversations.codec import decode, encode
from arrears.core.money import Money


def test_every_field_survives_the_round_trip() -> None:
    state = ConversationState(
        stage=Stage.PLAN_CONFIRM,
        verified=True,
        attempts=1,
        labels=(Label.AFFIRM, Label.PAYMENT_PLAN),
        draft_day=date(2026, 3, 13),
        draft_amount=Money(5_000, "USD"),
        draft_instalments=5,
        draft_every_days=7,
        countered="could I pay $10 a week",
        objection="refused",
        link_sent=True,
        clarifying=True,
        transcript=(Turn("agent", "Hola"), Turn("customer", "sí")),
        language="es",
    )
    assert decode(encode(state)) == state


def test_a_state_stored_before_languages_and_negotiation_still_decodes() -> None:
    stored = encode(ConversationState(stage=Stage.ASK, verified=True))
    for newer in ("language", "draft_every_days", "countered", "clarifying"):
        del stored[newer]
    old = decode(stored)
    assert (old.language, old.draft_every_days, old.countered, old.clarifying) == ("en", None, None, False)
