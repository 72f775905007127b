"""What the agent says while negotiating, in English and Spanish: offers, counter-offers, settlements and
the hand-over of a proposal it may not agree. Amounts and dates only from the terms the bounds allowed."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from arrears.agent.dialogue import replies
from arrears.agent.dialogue.bargain import PlanTerms, Proposal
from arrears.core.money import Money
from arrears.messages import formatting


def _spanish(language: str) -> bool:
    return language.lower().startswith("es")


def money(amount: Money, locale: str, language: str) -> str:
    if not _spanish(language):
        return replies.say_money(amount, locale)
    region = formatting.locale_of(locale).territory or "ES"
    text = formatting.money(amount.minor, amount.currency, f"es-{region}")
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def day(value: date, locale: str, language: str) -> str:
    if not _spanish(language):
        return replies.say_date(value, locale)
    return str(format_date(value, "EEEE d 'de' MMMM", locale="es"))


def _spacing(every_days: int | None, spanish: bool) -> str:
    named = {None: ("monthly", "mensuales"), 7: ("weekly", "semanales"), 14: ("fortnightly", "quincenales")}
    if every_days in named:
        return named[every_days][1 if spanish else 0]
    return f"cada {every_days} días" if spanish else f"every {every_days} days"


def plan_terms(terms: PlanTerms, locale: str, language: str) -> str:
    """ "6 monthly payments of $83.34" / "6 pagos mensuales de 83,34 US$"."""
    spanish = _spanish(language)
    spacing, per = _spacing(terms.every_days, spanish), money(terms.per, locale, language)
    smaller = terms.last.minor != terms.per.minor
    last = money(terms.last, locale, language)
    if spanish:
        tail = f" (el último, de {last})" if smaller else ""
        return f"{terms.count} pagos {spacing} de {per}{tail}"
    tail = f" (the last one {last})" if smaller else ""
    if spacing.startswith("every"):
        return f"{terms.count} payments of {per} {spacing}{tail}"
    return f"{terms.count} {spacing} payments of {per}{tail}"


def counter_plan(terms: PlanTerms, first: date | None, locale: str, language: str) -> str:
    """A counter-offer; without a first date yet, the dialogue asks for one after it."""
    shown = plan_terms(terms, locale, language)
    if _spanish(language):
        when = f", el primero el {day(first, locale, language)}. ¿Lo dejo así?" if first else "."
        return f"Eso no lo puedo acordar yo, pero sí puedo ofrecerle {shown}{when}"
    when = f", the first on {day(first, locale, language)}. Shall I set that up?" if first else "."
    return f"I can't agree that myself, but I can offer you {shown}{when}"


def plan_offer(terms: PlanTerms, first: date, locale: str, language: str) -> str:
    shown, when = plan_terms(terms, locale, language), day(first, locale, language)
    if _spanish(language):
        return f"Puedo organizar {shown}, el primero el {when}. ¿Lo dejo así?"
    return f"I can set up {shown}, the first on {when}. Shall I set that up?"


def settlement_offer(amount: Money, last_day: date, locale: str, language: str, *, countered: bool) -> str:
    shown, when = money(amount, locale, language), day(last_day, locale, language)
    if _spanish(language) and countered:
        return (
            f"Lo mínimo que puedo aceptar para saldar la cuenta por completo es {shown}, pagado a más tardar "
            f"el {when}. ¿Le parece bien?"
        )
    if _spanish(language):
        return (
            f"Puedo aceptar {shown} para saldar la cuenta por completo, si se paga a más tardar el {when}. "
            "¿Le envío el enlace de pago?"
        )
    if countered:
        return (
            f"The lowest I can accept to settle the account in full is {shown}, paid by {when}. "
            "Would that work?"
        )
    return (
        f"I can accept {shown} to settle the account in full, if it's paid by {when}. "
        "Shall I send you the link?"
    )


def settlement_booked(amount: Money, last_day: date, locale: str, language: str) -> str:
    shown, when = money(amount, locale, language), day(last_day, locale, language)
    if _spanish(language):
        return (
            f"Gracias. Le envío un enlace de pago seguro por {shown}; si se paga a más tardar el {when}, "
            "el resto del saldo queda cancelado. Adiós."
        )
    return (
        f"Thank you. I'm sending you a secure payment link for {shown}; once it's paid by {when}, the rest "
        "of the balance is settled. Goodbye."
    )


def proposal_to_person(language: str) -> str:
    if _spanish(language):
        return (
            "Eso queda fuera de lo que puedo acordar yo, así que paso su propuesta a un compañero, que se "
            "pondrá en contacto con usted. Adiós."
        )
    return (
        "That's outside what I can agree myself, so I'll pass your proposal to a colleague, who will get "
        "back to you. Goodbye."
    )


def describe_proposal(proposal: Proposal, locale: str) -> str:
    """For the person who takes it over (in English, like every task): the reading beside the words."""
    parts = ["settlement" if proposal.settlement else "plan"]
    if proposal.amount is not None:
        each = (
            "" if proposal.settlement or (proposal.count is None and proposal.every_days is None) else " each"
        )
        parts.append(f"{replies.say_money(proposal.amount, locale)}{each}")
    if proposal.count is not None:
        parts.append(f"{proposal.count} payments")
    if proposal.every_days is not None:
        parts.append(_spacing(None if proposal.every_days == 30 else proposal.every_days, False))
    return f'Customer proposed {", ".join(parts)}: "{proposal.words[:300]}"'
