"""What the agent says. Short sentences that read well aloud, built only from the case record and what the
customer said: no amount, date, fee or consequence appears here that the caller did not supply."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency

from arrears.agent.dialogue.model import CaseContext, Tone
from arrears.agent.labels import Label
from arrears.core.money import Money
from arrears.messages import formatting

#: The English replies (replies_es.py holds the Spanish ones, speech.py picks). Amounts and dates follow the
#: customer's region within English sentences: an es-US customer answered in English reads "$1,234.50".
_SPOKEN = "en"


def _spoken_locale(locale: str) -> str:
    region = formatting.locale_of(locale).territory
    return f"{_SPOKEN}-{region}" if region else formatting.DEFAULT_LOCALE


def say_money(money: Money, locale: str = formatting.DEFAULT_LOCALE) -> str:
    """As said aloud: "$100" for a whole amount, "$243.50" otherwise, in the customer's region."""
    return _plain_spaces(_money(money, _spoken_locale(locale)))


def _money(money: Money, spoken: str) -> str:
    value = formatting.amount(money.minor, money.currency)
    if value != value.to_integral_value():
        return formatting.money(money.minor, money.currency, spoken)
    pattern = formatting.locale_of(spoken).currency_formats["standard"].pattern.split(";")[0]
    whole = re.sub(r"\.0+", "", pattern)
    return str(
        format_currency(
            value, money.currency, format=whole, locale=formatting.locale_of(spoken), currency_digits=False
        )
    )


def _plain_spaces(text: str) -> str:
    """CLDR's no-break spaces become plain ones: replies travel by SMS, where one costs a GSM-7 segment."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def say_date(day: date, locale: str = formatting.DEFAULT_LOCALE) -> str:
    """Weekday and date as said aloud: "Friday, March 6" (en-US), "Friday, 6 March" (en-GB)."""
    spoken = _spoken_locale(locale)
    return str(format_date(day, _weekday_pattern(spoken), locale=formatting.locale_of(spoken)))


@lru_cache(maxsize=64)
def _weekday_pattern(locale: str) -> str:
    """The locale's full date pattern without the year (Babel's skeletons abbreviate the weekday)."""
    full = formatting.locale_of(locale).date_formats["full"].pattern
    return _YEAR.sub("", full).strip(" ,") or "EEEE d MMMM"


_YEAR = re.compile(r"[\s,]*(?:'[^']*'\s*)?y+")


def say_days(count: int, locale: str = formatting.DEFAULT_LOCALE) -> str:
    return formatting.days_past_due(count, _spoken_locale(locale))


def opening(ctx: CaseContext) -> str:
    return (
        f"Hello, this is an automated assistant calling for {ctx.business_name}. "
        f"Am I speaking with {ctx.customer_name}?"
    )


def ask_identity(ctx: CaseContext) -> str:
    return f"Thanks. To protect your privacy, can you confirm your {ctx.identity.spoken}?"


def identity_retry(ctx: CaseContext) -> str:
    return f"Sorry, that doesn't match our records. Could you tell me your {ctx.identity.spoken} again?"


def identity_failed() -> str:
    return (
        "Sorry, I can't confirm your identity, so I can't discuss this account. We'll write to you instead."
    )


def identity_locked(callback_number: str) -> str:
    number = f", or you can reach us on {callback_number}" if callback_number else ""
    return (
        "Sorry, your identity could not be confirmed after several attempts, so I can't discuss this "
        f"account. A colleague will contact you{number}. Goodbye."
    )


def wrong_party() -> str:
    return "Sorry to have bothered you. We'll update our records. Goodbye."


def balance(ctx: CaseContext) -> str:
    invoices = ""
    if ctx.invoice_numbers:
        shown = ", ".join(ctx.invoice_numbers[:3])
        invoices = f" for invoice{'s' if len(ctx.invoice_numbers) > 1 else ''} {shown}"
    ask = {
        Tone.FRIENDLY: "Would you be able to pay that today?",
        Tone.FIRM: "Can you pay that today?",
        Tone.FINAL: "This needs to be settled. Can you pay it today?",
    }[ctx.tone]
    prior = ""
    broken = [p for p in ctx.prior_promises if p.kept is False]
    if broken:
        prior = f" We had a payment arranged for {say_date(broken[-1].day, ctx.locale)} that didn't arrive."
    return (
        f"You have a balance of {say_money(ctx.balance, ctx.locale)} with {ctx.business_name}{invoices}, "
        f"{say_days(ctx.days_overdue, ctx.locale)} overdue.{prior} {ask}"
    )


def answer_question(ctx: CaseContext) -> str:
    invoices = f" It covers {', '.join(ctx.invoice_numbers[:3])}." if ctx.invoice_numbers else ""
    return (
        f"Your balance is {say_money(ctx.balance, ctx.locale)}, "
        f"{say_days(ctx.days_overdue, ctx.locale)} overdue.{invoices} "
        "For anything else about the charges a colleague can help. Can you pay it today?"
    )


def link_sent(channel: str) -> str:
    shown = channel.upper() if channel == "sms" else channel
    return f"I've sent a secure payment link by {shown}. You can pay there any time."


def card_refused(link_channel: str | None) -> str:
    tail = f" I've sent a secure payment link by {link_channel} instead." if link_channel else ""
    return f"Please stop there: for your security I can't take card details in this conversation.{tail}"


def ask_date(limit: date, locale: str = formatting.DEFAULT_LOCALE) -> str:
    return f"What date can you pay by? The latest I can arrange is {say_date(limit, locale)}."


def date_out_of_range(limit: date, locale: str = formatting.DEFAULT_LOCALE) -> str:
    return (
        f"I can only arrange a date between today and {say_date(limit, locale)}. "
        "Which date in that range works?"
    )


def ask_amount(ctx: CaseContext) -> str:
    return f"How much will you pay then? Will it be the full {say_money(ctx.balance, ctx.locale)}?"


def amount_too_high(ctx: CaseContext) -> str:
    return f"That's more than the balance of {say_money(ctx.balance, ctx.locale)}. How much will you pay?"


def read_back(amount: Money, day: date, locale: str = formatting.DEFAULT_LOCALE) -> str:
    return f"To confirm: {say_money(amount, locale)} on {say_date(day, locale)}. Is that right?"


def promise_recorded(amount: Money, day: date, locale: str = formatting.DEFAULT_LOCALE) -> str:
    return (
        f"Thank you. I've noted {say_money(amount, locale)} on {say_date(day, locale)}; "
        "we'll send you a reminder. Goodbye."
    )


def plan_recorded(amount: Money, count: int, locale: str = formatting.DEFAULT_LOCALE) -> str:
    return f"Thank you. Your plan of {count} payments of {say_money(amount, locale)} is set up. Goodbye."


def objection(first: bool) -> str:
    if first:
        return "I understand. Is something making it hard to pay? We may be able to spread the payments."
    return "Alright. We'll be in touch about the balance. Thank you for your time. Goodbye."


def reprompt() -> str:
    return "Sorry, I didn't catch that. Could you say it another way?"


def clarify() -> str:
    """One clarifying question when the agent is unsure what a turn meant: plain, and open to every answer
    that must reach a person (a dispute, money trouble, a lawyer), so none is steered towards paying."""
    return (
        "I want to make sure I understand you correctly. Could you tell me in a few words what you'd like to "
        "do: pay now, arrange a date or a plan, or is something wrong with this account?"
    )


def unsure_handoff() -> str:
    return "Thank you. I'll ask a member of our team to look at this and get back to you. Goodbye."


def give_up() -> str:
    return "I'm sorry we couldn't sort this out now. We'll try you again another time. Goodbye."


def callback_ok() -> str:
    return "No problem, we'll call you back at a better time. Goodbye."


def paid_claim() -> str:
    return (
        "Thanks for letting me know. I'll ask our team to check the payment and update your account. Goodbye."
    )


_EMPATHY = {
    Label.DECEASED: "I'm very sorry for your loss.",
    Label.VULNERABLE: "I'm so sorry you're going through this. Thank you for telling me.",
    Label.HARDSHIP: "I'm sorry things are difficult at the moment. Thank you for telling me.",
    Label.DISPUTE: "I understand you don't think this is right. We'll look into it properly.",
    Label.LEGAL: "Understood.",
    Label.BANKRUPTCY: "Thank you for letting us know.",
    Label.CANCEL_SERVICE: "I understand you want to cancel.",
    Label.HUMAN_AGENT: "Of course.",
    Label.CEASE_CONTACT: "Understood, we'll stop contacting you this way.",
}


def escalation(label: Label, transfer: bool, callback_number: str) -> str:
    lead = _EMPATHY.get(label, "Thank you for telling me.")
    if label is Label.CEASE_CONTACT:
        return f"{lead} A colleague will review your request. Goodbye."
    if transfer:
        return f"{lead} I'm connecting you to a colleague now, who will have the details."
    number = f" or you can reach us on {callback_number}" if callback_number else ""
    return f"{lead} A colleague will call you back{number}. Goodbye."


def language_handoff() -> str:
    return "I'll arrange for someone who speaks your language to contact you. Goodbye."


def unsubscribed() -> str:
    return "You're unsubscribed. Goodbye."


def ask_who(ctx: CaseContext) -> str:
    return f"Am I speaking with {ctx.customer_name}?"


def ask_pay_today() -> str:
    return "Can you pay the balance today?"


def ask_note() -> str:
    return "Shall I note that?"


def ask_send_link() -> str:
    return "Shall I send the link?"


def ask_date_again() -> str:
    return "What date can you pay by?"


def ask_amount_again() -> str:
    return "How much will you pay?"


def thanks_goodbye() -> str:
    return "Thank you, goodbye."
