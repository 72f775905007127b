"""What the agent says. Short sentences that read well aloud, built only from the case record and what the
customer said: no amount, date, fee or consequence appears here that the caller did not supply."""

from __future__ import annotations

from datetime import date

from arrears.agent.dialogue.model import CaseContext, Tone
from arrears.agent.labels import Label
from arrears.core.money import Money, format_minor

_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "GBP": "£", "EUR": "€"}


def say_money(money: Money) -> str:
    text = format_minor(money.minor, money.currency)
    whole, _, cents = text.partition(".")
    grouped = f"{int(whole):,}" + (f".{cents}" if cents and cents.strip("0") else "")
    symbol = _SYMBOLS.get(money.currency)
    return f"{symbol}{grouped}" if symbol else f"{grouped} {money.currency}"


def say_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


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
        prior = f" We had a payment arranged for {say_date(broken[-1].day)} that didn't arrive."
    return (
        f"You have a balance of {say_money(ctx.balance)} with {ctx.business_name}{invoices}, "
        f"{ctx.days_overdue} days overdue.{prior} {ask}"
    )


def answer_question(ctx: CaseContext) -> str:
    invoices = f" It covers {', '.join(ctx.invoice_numbers[:3])}." if ctx.invoice_numbers else ""
    return (
        f"Your balance is {say_money(ctx.balance)}, {ctx.days_overdue} days overdue.{invoices} "
        "For anything else about the charges a colleague can help. Can you pay it today?"
    )


def link_sent(channel: str) -> str:
    shown = channel.upper() if channel == "sms" else channel
    return f"I've sent a secure payment link by {shown}. You can pay there any time."


def card_refused(link_channel: str | None) -> str:
    tail = f" I've sent a secure payment link by {link_channel} instead." if link_channel else ""
    return f"Please stop there: for your security I can't take card details in this conversation.{tail}"


def ask_date(limit: date) -> str:
    return f"What date can you pay by? The latest I can arrange is {say_date(limit)}."


def date_out_of_range(limit: date) -> str:
    return f"I can only arrange a date between today and {say_date(limit)}. Which date in that range works?"


def ask_amount(ctx: CaseContext) -> str:
    return f"How much will you pay then? Will it be the full {say_money(ctx.balance)}?"


def amount_too_high(ctx: CaseContext) -> str:
    return f"That's more than the balance of {say_money(ctx.balance)}. How much will you pay?"


def read_back(amount: Money, day: date) -> str:
    return f"To confirm: {say_money(amount)} on {say_date(day)}. Is that right?"


def plan_offer(amount: Money, count: int, day: date) -> str:
    return (
        f"I can set up {count} monthly payments of {say_money(amount)}, the first on {say_date(day)}. "
        "Shall I set that up?"
    )


def plan_needs_person() -> str:
    return "That plan is outside what I can arrange myself, so I'll pass it to a colleague."


def promise_recorded(amount: Money, day: date) -> str:
    return (
        f"Thank you. I've noted {say_money(amount)} on {say_date(day)}; we'll send you a reminder. Goodbye."
    )


def plan_recorded(amount: Money, count: int) -> str:
    return f"Thank you. Your plan of {count} payments of {say_money(amount)} is set up. Goodbye."


def objection(first: bool) -> str:
    if first:
        return "I understand. Is something making it hard to pay? We may be able to spread the payments."
    return "Alright. We'll be in touch about the balance. Thank you for your time. Goodbye."


def reprompt() -> str:
    return "Sorry, I didn't catch that. Could you say it another way?"


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
