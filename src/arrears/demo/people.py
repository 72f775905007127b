"""Simulated customers: each has a persona and answers messages in words, pays, promises, or ignores.

They talk to the real agent: every reply is free text that goes through understanding like a real one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from arrears.core.money import format_minor
from arrears.demo.calls import GOODBYE, CallScript, answer


class Persona(StrEnum):
    PROMPT_PAYER = "prompt_payer"
    KEEPER = "keeper"
    BREAKER = "breaker"
    LATE_PAYER = "late_payer"
    IGNORER = "ignorer"
    DISPUTER = "disputer"
    HARDSHIP = "hardship"
    STOPPER = "stopper"
    LINK_ASKER = "link_asker"
    SETTLER = "settler"  # offers to settle for less, and pays the agreed amount on the link it is sent


PERSONA_WEIGHTS = {
    Persona.PROMPT_PAYER: 16,
    Persona.KEEPER: 16,
    Persona.BREAKER: 9,
    Persona.LATE_PAYER: 12,
    Persona.IGNORER: 23,
    Persona.DISPUTER: 6,
    Persona.HARDSHIP: 6,
    Persona.STOPPER: 4,
    Persona.LINK_ASKER: 5,
    Persona.SETTLER: 3,
}
#: What a person says on the phone when asked to pay and they had nothing else in mind.
CALL_LINES = {
    Persona.PROMPT_PAYER: "yes, send me the link and I'll pay it now",
    Persona.LATE_PAYER: "I can't pay today, I'm not sure when",
    Persona.LINK_ASKER: "can you text me the payment link",
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


#: Personas who say one thing, once, in their own words: the agent must understand them.
_ONE_MESSAGE: dict[Persona, tuple[str, ...]] = {
    Persona.DISPUTER: (
        "I never received the goods, I'm not paying for something I didn't get",
        "This charge is wrong, I cancelled months ago. Send me proof of what I owe.",
        "that's not my debt, I don't recognise this account at all",
    ),
    Persona.HARDSHIP: (
        "I lost my job last month and I can't afford anything right now",
        "my hours got cut and I'm behind on rent, I just don't have the money",
        "things are really hard since I got laid off, please give me some time",
    ),
}


@dataclass(frozen=True)
class Reaction:
    at: datetime
    kind: str  # message | payment
    channel: str = ""
    text: str = ""
    amount_minor: int = 0
    address: str = ""  # the customer's number or e-mail address the message comes from
    on_offer_link: bool = False  # a payment of the agreed amount, on the page of the offer link sent


#: How many times a person answers the agent on one text thread before they stop replying.
THREAD_TURNS = 8


@dataclass
class SimulatedCustomer:
    persona: Persona
    rng: random.Random
    messages_seen: int = 0
    engaged: bool = False
    promised_on: date | None = None
    done: bool = False
    pending: list[Reaction] = field(default_factory=list)
    main_line: str = ""  # what they wrote first: said again when the agent asks what they can do
    said_main: bool = False
    thread_turns: int = 0

    def start_thread(self, first_words: str) -> None:
        """They write first: a new exchange, with what they mean to say when asked."""
        self.main_line, self.said_main, self.thread_turns = first_words, False, 0

    def on_reply(
        self, reply: str, script: CallScript, channel: str, address: str, at: datetime
    ) -> list[Reaction]:
        """The agent answered on a text thread: answer it as on a call, until it has nothing to ask."""
        if self.thread_turns >= THREAD_TURNS:
            return []
        words, self.said_main = answer(reply, replace(script, main_line=self.main_line), self.said_main)
        if words == GOODBYE and "?" not in reply:
            return []  # the agent closed the exchange: nothing to add
        self.thread_turns += 1
        later = at + timedelta(minutes=self.rng.randint(2, 40))
        return [Reaction(later, "message", channel, words, address=address)]

    def on_message(
        self, channel: str, at: datetime, local_today: date, balance_minor: int, currency: str
    ) -> list[Reaction]:
        """What this person does after receiving one message (possibly nothing)."""
        if self.done:
            return []
        self.messages_seen += 1
        reply_channel = channel if channel in ("sms", "whatsapp", "email") else "sms"
        later = at + timedelta(hours=self.rng.randint(1, 30))
        amount = f"{format_minor(balance_minor, currency)}"
        p = self.persona
        if p is Persona.PROMPT_PAYER:
            self.done = True
            return [Reaction(later, "payment", amount_minor=balance_minor)]
        if p is Persona.LATE_PAYER and self.messages_seen >= self.rng.randint(2, 3):
            self.done = True
            return [Reaction(later, "payment", amount_minor=balance_minor)]
        if p in (Persona.KEEPER, Persona.BREAKER) and self.promised_on is None:
            days = self.rng.randint(3, 10)
            self.promised_on = local_today + timedelta(days=days)
            text = self._promise_text(self.promised_on, local_today, amount, currency)
            out = [Reaction(later, "message", reply_channel, text)]
            if p is Persona.KEEPER:
                pay_at = datetime.combine(self.promised_on, at.timetz()) - timedelta(
                    hours=self.rng.randint(0, 20)
                )
                out.append(
                    Reaction(max(pay_at, later + timedelta(hours=1)), "payment", amount_minor=balance_minor)
                )
                self.done = True
            return out
        said = _ONE_MESSAGE.get(p)
        if said is not None and not self.engaged:
            self.engaged = True
            return [Reaction(later, "message", reply_channel, self.rng.choice(said))]
        if p is Persona.STOPPER and not self.engaged:
            self.engaged = True
            text = "STOP" if reply_channel in ("sms", "whatsapp") else "Stop contacting me about this."
            return [Reaction(later, "message", reply_channel, text)]
        if p is Persona.SETTLER:
            return self._settle(later, reply_channel, balance_minor, currency)
        if p is Persona.LINK_ASKER and not self.engaged:
            self.engaged = True
            self.done = True
            return [
                Reaction(
                    later,
                    "message",
                    reply_channel,
                    self.rng.choice(
                        (
                            "can you send me the link to pay",
                            "How do I pay this online?",
                            "send me a payment link please",
                        )
                    ),
                ),
                Reaction(later + timedelta(hours=2), "payment", amount_minor=balance_minor),
            ]
        return []

    def _settle(self, at: datetime, channel: str, balance_minor: int, currency: str) -> list[Reaction]:
        """First message: an offer of 82-95% of the balance as full and final settlement (the strategy's
        floor decides whether the agent accepts or counters); the next message is the agreed link: pay it."""
        if not self.engaged:
            self.engaged = True
            offered = format_minor(balance_minor * self.rng.randint(82, 95) // 100, currency)
            text = self.rng.choice(
                (
                    f"I can give you {offered} as full and final settlement",
                    f"can I pay {offered} as a full and final settlement",
                )
            )
            return [Reaction(at, "message", channel, text)]
        self.done = True
        return [Reaction(at + timedelta(hours=1), "payment", on_offer_link=True)]

    def _promise_text(self, on: date, today: date, amount: str, currency: str) -> str:
        weekday = WEEKDAYS[on.weekday()]
        day = on.day
        suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        symbol = {"USD": "$", "GBP": "£", "EUR": "€", "INR": "₹"}.get(currency, "")
        templates = [
            f"I can pay {symbol}{amount} on the {day}{suffix}",
            f"I'll pay the full amount on the {day}{suffix}",
            f"can I pay it on {on.strftime('%B')} {day}?  I will pay {symbol}{amount} then",
            f"I will have the money by the {day}{suffix}, I promise to pay then",
        ]
        if (on - today).days <= 6:
            templates.append(f"I get paid {weekday}, I'll pay {symbol}{amount} on {weekday}")
        return self.rng.choice(templates)


def assign_personas(count: int, seed: int) -> list[SimulatedCustomer]:
    rng = random.Random(seed * 7919 + 1)
    personas = rng.choices(list(PERSONA_WEIGHTS), weights=list(PERSONA_WEIGHTS.values()), k=count)
    return [SimulatedCustomer(p, random.Random(rng.random())) for p in personas]
