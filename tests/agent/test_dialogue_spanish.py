"""The dialogue in Spanish: opened in Spanish for a Spanish locale, switched to Spanish when the customer
writes it, every reply free of English and placeholders, amounts and dates written the Spanish way; any
other language goes to a person with the language recorded, after the escalation checks."""

from __future__ import annotations

import re
from datetime import date

import pytest

from arrears.agent import understand
from arrears.agent.dialogue import (
    CaseContext,
    ConversationState,
    OpenTask,
    RecordPromise,
    Routing,
    SendPaymentLink,
    Stage,
    Step,
    speech,
    start,
    step,
)
from arrears.agent.labels import ESCALATION, Label
from arrears.core.money import Money
from tests.agent.test_dialogue import NOW, ctx

_ENGLISH = re.compile(r"\b(?:the|your|you|goodbye|thank|please|can|will|pay|date|balance)\b", re.IGNORECASE)


def talk(case: CaseContext, *turns: str) -> list[Step]:
    steps = [start(case)]
    state: ConversationState = steps[0].state
    for text in turns:
        heard = understand(text, NOW, case.channel, language=case.locale, default_currency="USD")
        steps.append(step(state, heard, case))
        state = steps[-1].state
    return steps


def _spanish_only(replies: list[str]) -> None:
    for reply in replies:
        assert not _ENGLISH.search(reply), reply
        assert "{" not in reply and "}" not in reply and "None" not in reply, reply


def test_a_spanish_locale_is_served_in_spanish_from_opening_to_a_booked_promise() -> None:
    spanish = ctx(locale="es-US")
    steps = talk(spanish, "sí, soy yo", "12/07/1984", "puedo pagar 100 dólares el viernes", "sí, correcto")
    assert steps[0].reply.startswith("Hola, le habla un asistente automático en nombre de Brightwater Energy")
    assert "fecha de nacimiento" in steps[1].reply
    assert "Tiene un saldo de $243.50" in steps[2].reply and "21 días de retraso" in steps[2].reply  # es-US
    assert steps[3].state.stage is Stage.PROMISE_CONFIRM
    assert "viernes 6 de marzo" in steps[3].reply and "¿Es correcto?" in steps[3].reply
    last = steps[-1]
    assert RecordPromise(date(2026, 3, 6), Money(10_000, "USD")) in last.actions
    assert (
        last.outcome is not None and last.outcome.routing is Routing.BOOKED and last.outcome.language == "es"
    )
    _spanish_only([s.reply for s in steps[1:]])


def test_spanish_in_spain_writes_euros_the_spanish_way() -> None:
    spain = ctx(locale="es-ES", balance=Money(123_450, "EUR"))
    steps = talk(spain, "sí, soy yo", "12/07/1984")
    assert "Tiene un saldo de 1.234,50 € con Brightwater Energy" in steps[-1].reply


def test_an_english_locale_customer_who_writes_spanish_is_answered_in_spanish() -> None:
    steps = talk(ctx(), "yes it's me", "july 12 1984", "no puedo pagar hoy, lo siento mucho")
    assert steps[2].state.language == "en" and "You have a balance" in steps[2].reply
    assert steps[3].state.language == "es"
    assert steps[3].reply.startswith(("Entiendo.", "Quiero asegurarme de entenderle bien."))
    _spanish_only([steps[3].reply])


def test_short_turns_do_not_switch_the_language() -> None:
    steps = talk(ctx(), "si", "july 12 1984", "ok")
    assert all(s.state.language == "en" for s in steps)


@pytest.mark.parametrize(
    ("words", "language", "name"),
    [
        ("je ne peux pas payer avant la semaine prochaine, merci", "fr", "French (fr)"),
        ("我下个星期五可以付款", "zh", "Chinese (zh)"),
        ("eu não posso pagar hoje, só amanhã", "pt", "Portuguese (pt)"),
    ],
)
def test_a_turn_in_another_language_goes_to_a_person_with_the_language_recorded(
    words: str, language: str, name: str
) -> None:
    """The model reads English and Spanish: whatever it makes of the words (an escalation is kept: more
    caution), a person takes over, the task names the language and the outcome records it."""
    steps = talk(ctx(), "yes", "july 12 1984", words)
    last = steps[-1]
    assert last.outcome is not None and last.outcome.language == language
    assert last.outcome.routing in (Routing.SENT_TO_REVIEW, Routing.ESCALATED)
    task = next(a for a in last.actions if isinstance(a, OpenTask))
    assert f"Writes in {name}" in task.summary and task.language == language
    assert not any(isinstance(a, RecordPromise | SendPaymentLink) for a in last.actions)


def test_an_escalation_in_another_language_still_escalates_first() -> None:
    last = talk(ctx(), "yes", "july 12 1984", "mon avocat s'occupe de ce dossier, ne m'appelez plus")[-1]
    assert last.outcome is not None and last.outcome.routing is Routing.ESCALATED
    task = next(a for a in last.actions if isinstance(a, OpenTask))
    assert Label(task.reason) in ESCALATION and task.language == "fr"


def test_every_spanish_escalation_and_closing_reply_is_spanish() -> None:
    cases = [
        ("sí", "12/07/1984", "perdí mi trabajo y no puedo pagar nada"),
        ("sí", "12/07/1984", "ya pagué todo la semana pasada"),
        ("no, número equivocado, no conozco a esa persona",),
        ("sí", "12/07/1984", "mándame el enlace y pago ahora"),
    ]
    for turns in cases:
        steps = talk(ctx(locale="es-MX"), *turns)
        assert steps[-1].outcome is not None, turns
        _spanish_only([s.reply for s in steps])


def test_a_spanish_locale_customer_who_writes_english_is_answered_in_english() -> None:
    steps = talk(ctx(locale="es-MX"), "yes, that's me, who is calling?")
    assert steps[0].state.language == "es" and steps[0].reply.startswith("Hola")
    assert steps[1].state.language == "en" and steps[1].reply.startswith("Thanks.")


def test_short_turns_keep_a_spanish_conversation_in_spanish() -> None:
    steps = talk(ctx(locale="es-MX"), "ok", "yes")
    assert all(s.state.language == "es" for s in steps)
    _spanish_only([s.reply for s in steps])


def test_every_spanish_catalogue_reply_is_free_of_english_and_placeholders() -> None:
    """Every sentence the Spanish catalogue can say, in both regions' formats (the machine's reprompts and
    the opt-out goodbye included)."""
    for locale in ("es-MX", "es-ES"):
        case = ctx(locale=locale, callback_number="+1 555 0100", invoice_numbers=("INV-1", "INV-2"))
        w = speech.words(ConversationState(language="es"))
        day, money = date(2026, 3, 6), Money(12_345, "USD")
        said = [
            w.opening(case), w.ask_identity(case), w.identity_retry(case), w.identity_failed(),
            w.identity_locked(case.callback_number), w.identity_locked(""), w.wrong_party(), w.balance(case),
            w.answer_question(case), w.link_sent("sms"), w.link_sent("email"), w.card_refused("sms"),
            w.card_refused(None), w.ask_date(day, locale), w.date_out_of_range(day, locale),
            w.ask_amount(case), w.amount_too_high(case), w.read_back(money, day, locale),
            w.promise_recorded(money, day, locale), w.plan_recorded(money, 3, locale), w.objection(True),
            w.objection(False), w.reprompt(), w.clarify(), w.unsure_handoff(), w.give_up(), w.callback_ok(),
            w.paid_claim(), w.language_handoff(), w.unsubscribed(), w.ask_who(case), w.ask_pay_today(),
            w.ask_note(), w.ask_send_link(), w.ask_date_again(), w.ask_amount_again(), w.thanks_goodbye(),
        ]  # fmt: skip
        said += [
            w.escalation(label, transfer, case.callback_number)
            for label in ESCALATION
            for transfer in (True, False)
        ]
        _spanish_only(said)
    assert "el viernes 6 de marzo" in speech.words(ConversationState(language="es")).read_back(
        money, day, "es-ES"
    )
