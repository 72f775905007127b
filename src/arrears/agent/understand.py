"""``understand``: one customer turn in, labels and slots out. Deterministic, offline, bounded in time.

The pipeline is: decode and cap -> find and mask card data -> normalise -> labels (the rules' reading, then
the learned combiner, which weighs it with the words and a sentence embedding) -> date (direction chosen
by the labels: backward for a payment already made, forward for a promise) -> amount. Every step is total:
empty, enormous, undecodable or foreign text gives ``unclear`` rather than an exception, because the caller
is a live conversation and a crash there is worse than asking again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from arrears.agent.amounts import decimal_string, find_amount, resolve_currency
from arrears.agent.cards import scan
from arrears.agent.classify import classify
from arrears.agent.dates import Direction, prepare_digitised, resolve_date
from arrears.agent.labels import ESCALATION, Label
from arrears.agent.learned.combiner import encoder, featurise, load_combiner
from arrears.agent.numbers import digitise
from arrears.agent.second_opinion import SecondOpinion
from arrears.agent.text import normalise
from arrears.core.money import Money, MoneyError, parse_minor

_LETTER = re.compile(r"[^\W\d_]")
_DATED = frozenset({Label.PROMISE_TO_PAY, Label.ALREADY_PAID, Label.PAYMENT_PLAN})


@dataclass(frozen=True, slots=True)
class Understanding:
    """What one turn means. ``labels`` is never empty and its first element is the main label."""

    labels: tuple[Label, ...]
    date: date | None
    """The promised date, or the date a payment was made (None when the turn names no single day)."""
    amount: str | None
    """The amount as a decimal string ("200.00"), in ``currency``'s minor digits when known."""
    amount_minor: int | None
    """The amount in minor units of ``currency``; None when no currency is known."""
    currency: str | None
    contains_card: bool
    redacted: str
    """The turn with card numbers and security codes masked: the only form that may be stored or logged."""
    confidence: float = 1.0
    """The model's probability of the main label (1.0 where the rules alone read the turn)."""
    unsure: bool = False
    """True when the model is unsure and no escalation was found: the dialogue asks again, then a person."""
    model: str = "rules"
    """Which reader labelled the turn: "rules", or the model's version and content hash."""
    second_opinion: SecondOpinion | None = None
    """The LLM's reading beside the local one; None when no LLM is configured or its answer was unusable."""

    @property
    def main(self) -> Label:
        return self.labels[0]

    @property
    def escalation(self) -> tuple[Label, ...]:
        return tuple(label for label in self.labels if label in ESCALATION)

    @property
    def money(self) -> Money | None:
        if self.amount_minor is None or self.currency is None:
            return None
        return Money(self.amount_minor, self.currency)


def _direction(labels: tuple[Label, ...]) -> Direction:
    if Label.ALREADY_PAID in labels:
        return "backward"
    if set(labels) & {Label.PROMISE_TO_PAY, Label.PAYMENT_PLAN, Label.CALLBACK}:
        return "forward"
    return "neutral"


def _reference_day(reference: datetime | date) -> date:
    return reference.date() if isinstance(reference, datetime) else reference


def understand(
    text: str | bytes,
    reference: datetime | date,
    channel: str,
    language: str = "en",
    *,
    default_currency: str | None = None,
    fallback: bool = True,
) -> Understanding:
    """Labels, date, amount and card data of one customer turn.

    ``reference`` is the moment the turn was said, in the customer's local time (only its calendar day is
    used). ``default_currency`` (the account's currency) fills in amounts said without one ("two hundred")
    and decides which dollar a bare "$" means. ``language`` is the customer's locale (BCP 47): it decides
    whether "4/5" is April 5 ("en", "en-US") or 4 May ("en-GB", "es"); the lexicon reads English and common
    Spanish whatever it says. ``fallback=False`` gives the rules alone (the learned
    fallback, ``arrears.agent.learned``, is on by default; benchmarks switch it off to show its effect).
    """
    norm = normalise(text)
    cards = scan(norm.raw)
    if cards.contains_card:
        norm = normalise(cards.redacted)
    labels = classify(norm.words, channel, contains_card=cards.contains_card)
    confidence, unsure, model = 1.0, False, "rules"
    if fallback and labels != (Label.OPT_OUT,) and _LETTER.search(norm.words):
        # A bare opt-out keyword and a turn without words are fully read by the rules.
        combiner = load_combiner()
        reading = combiner.read(featurise(norm.words, labels, encoder()))
        labels, confidence, unsure = reading.labels, reading.confidence, reading.unsure
        model = f"{combiner.version}+{combiner.digest}"
    digitised = digitise(norm.text)
    day: date | None = None
    if set(labels) & _DATED:
        day = resolve_date(
            prepare_digitised(digitised), _reference_day(reference), _direction(labels), locale=language
        )
    found = find_amount(digitised)
    amount = minor = currency = None
    if found is not None and found.value > 0:
        resolved = resolve_currency(found, default_currency)
        currency = resolved.currency
        amount = decimal_string(resolved.value, currency)
        if currency is not None:
            try:
                minor = parse_minor(amount, currency)
            except MoneyError:
                minor = None
    return Understanding(
        labels=labels,
        date=day,
        amount=amount,
        amount_minor=minor,
        currency=currency,
        contains_card=cards.contains_card,
        redacted=cards.redacted,
        confidence=confidence,
        unsure=unsure,
        model=model,
    )
