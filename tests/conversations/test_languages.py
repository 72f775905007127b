"""Languages through the conversation service on both databases: a Spanish-locale customer is served in
Spanish, and a customer who writes a language the agent does not speak reaches a person, the language
stored on the outcome and named in the task."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.conversations.context import AgentConfig
from arrears.conversations.service import ConversationService
from arrears.store.models import Customer, Outcome, Task
from tests.conversations.support import NOW, POSTCODE, seed_case

SERVICE = ConversationService(AgentConfig(business_name="Brightwater Energy"))


def _talk(sessions: sessionmaker[Session], case_id: str, *turns: str) -> list[str]:
    with sessions.begin() as session:
        opened = SERVICE.open(
            session, case_id=case_id, channel="chat", provider="web", provider_conversation_id="c-1", now=NOW
        )
    replies = [opened.reply]
    for n, text in enumerate(turns):
        with sessions.begin() as session:
            replies.append(
                SERVICE.turn(session, opened.conversation_id, text, turn_key=f"t{n}", now=NOW).reply
            )
    return replies


def test_a_spanish_locale_customer_is_served_in_spanish(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        session.execute(update(Customer).values(locale="es-US"))
    replies = _talk(sessions, case_id, "sí, soy yo", f"mi código postal es {POSTCODE}")
    assert replies[0].startswith("Hola, le habla un asistente automático en nombre de Brightwater Energy")
    assert "código postal" in replies[1]
    assert replies[2].startswith("Tiene un saldo de $243.50") and "por la factura INV-1001" in replies[2]


def test_another_language_reaches_a_person_with_the_language_recorded(
    sessions: sessionmaker[Session],
) -> None:
    case_id = seed_case(sessions)
    _talk(
        sessions, case_id, "yes it's me", f"it's {POSTCODE}", "eu não posso pagar hoje, só na próxima semana"
    )
    with sessions() as session:
        outcome = session.scalars(select(Outcome)).one()
        task = session.scalars(select(Task)).one()
    assert outcome.language == "pt" and "Writes in Portuguese (pt)" in task.summary
    assert task.context["language"] == "pt"  # the task can go to a person who speaks it
