"""`strategy validate`'s message checks: every contact step's template rendered for sample customers of each
shipped locale, and the step's offer checked against sane bounds. Pure: the CLI supplies the templates,
the business identity and the disclosures the deployment's rules would require.

A problem names the step and the sample (locale, person or business, offer, promise) it was found with,
so a strategy author can reproduce it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.messages.address import PostalAddress
from arrears.messages.catalogue import Catalogue
from arrears.messages.render import (
    Business,
    InvoiceLine,
    Message,
    MessageError,
    MessageRequest,
    OfferTerms,
    render_message,
)
from arrears.messages.sms import MAX_SEGMENTS
from arrears.strategy.schema import Channel, Offer, Step, Strategy

#: One sample locale per shipped language and region variant whose formats differ.
SAMPLE_LOCALES = {"en-US": "USD", "en-GB": "GBP", "es-ES": "EUR", "es-MX": "MXN"}
#: RFC 5322 recommends header lines of at most 78 characters; longer subjects are cut by mail clients.
MAX_SUBJECT = 78
#: A discount above half the balance is almost always a typo in basis points.
MAX_DISCOUNT_BPS = 5_000
#: Leftovers of a template language or of Python in a customer's text.
LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\$[a-z_]+\b|\bNone\b|\bnan\b|\bundefined\b|  ")

#: (channel, customer kind, first contact about the debt?) -> the disclosure texts it carries
DisclosuresFor = Callable[[str, str, bool], tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class Problem:
    step: str
    sample: str  # e.g. "es-MX, business, offer" or "" for a problem of the step itself
    message: str

    def __str__(self) -> str:
        where = f"step {self.step}" + (f" ({self.sample})" if self.sample else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Sample:
    locale: str
    kind: str  # person | business
    offer: bool
    promise: bool

    def label(self) -> str:
        extras = [x for x, on in (("offer", self.offer), ("promise", self.promise)) if on]
        return ", ".join([self.locale, self.kind, *extras])


def check_strategy(
    strategy: Strategy,
    templates: Catalogue,
    business: Business,
    *,
    disclosures_for: DisclosuresFor | None = None,
    max_discount_bps: int = MAX_DISCOUNT_BPS,
    today: date | None = None,
) -> list[Problem]:
    """Every problem of the strategy's messages and offers; empty when all is well. The earliest contact
    steps are sampled as a first communication (the longest disclosures), later ones as later contacts."""
    contacts = [step for step in strategy.steps if step.channel is not Channel.TASK]
    first_day = min((step.day for step in contacts), default=0)
    problems: list[Problem] = []
    for step in contacts:
        problems += _offer_problems(step, max_discount_bps)
        for channel in (step.channel, *step.fallback_channels):  # a fallback sends the same template
            label = step.id if channel is step.channel else f"{step.id}@{channel.value}"
            found = _message_problems(
                label, step.template, channel.value, step.tone.value, step.offer, templates, business,
                _fixed(disclosures_for, initial=step.day == first_day), today,
            )  # fmt: skip
            problems += _first_of_each(found)
    reminder = strategy.promise
    found = _message_problems(
        "promise-reminder", reminder.reminder_template, reminder.reminder_channel.value, "friendly", None,
        templates, business, _fixed(disclosures_for, initial=False), today, promise_only=True,
    )  # fmt: skip
    return problems + _first_of_each(found)


def _fixed(
    disclosures_for: DisclosuresFor | None, *, initial: bool
) -> Callable[[str, str], tuple[tuple[str, str], ...]]:
    return lambda channel, kind: disclosures_for(channel, kind, initial) if disclosures_for else ()


def _first_of_each(problems: list[Problem]) -> list[Problem]:
    """One line per kind of problem of a step (the first sample that shows it), with how many more do."""
    firsts: dict[str, Problem] = {}
    counts: dict[str, int] = {}
    for problem in problems:
        kind = problem.message.split(":")[0][:40]
        firsts.setdefault(kind, problem)
        counts[kind] = counts.get(kind, 0) + 1
    return [
        Problem(p.step, p.sample + (f"; {counts[k] - 1} more samples" if counts[k] > 1 else ""), p.message)
        for k, p in firsts.items()
    ]


def check_message(message: Message, channel: str) -> list[str]:
    """What is wrong with one rendered message (length limits and leftovers), as sentences."""
    found: list[str] = []
    if message.subject is not None and len(message.subject) > MAX_SUBJECT:
        found.append(f"email subject of {len(message.subject)} characters (at most {MAX_SUBJECT})")
    if channel == "sms" and (message.segments or 0) > MAX_SEGMENTS:
        found.append(f"SMS of {message.segments} segments (at most {MAX_SEGMENTS}): {message.text!r}")
    for part in (message.subject or "", message.text, message.html or ""):
        for line in part.splitlines():
            leftover = LEFTOVERS.search(line.strip())
            if leftover:
                found.append(f"{leftover.group(0)!r} left in the text: {line.strip()!r}")
                break
    return found


def samples(*, offer: bool, promise_only: bool = False) -> Iterator[Sample]:
    for locale in SAMPLE_LOCALES:
        for kind in ("person", "business"):
            for with_promise in (True,) if promise_only else (False, True):
                yield Sample(locale, kind, offer, with_promise)


def sample_request(
    template: str,
    channel: str,
    tone: str,
    sample: Sample,
    business: Business,
    today: date,
    disclosures: tuple[tuple[str, str], ...] = (),
    offer: Offer | None = None,
) -> MessageRequest:
    """A demanding but real customer: a long name with a title, a large balance, three invoices."""
    currency = SAMPLE_LOCALES[sample.locale]
    balance = 1_234_567_89 if currency != "JPY" else 12_345_678
    name = (
        "Dra. María José García-Villanueva"
        if sample.kind == "person"
        else "Northwind Industrial Supplies Ltd"
    )
    terms = None
    if sample.offer and offer is not None:
        fixed = next(iter((offer.discount_minor or {}).values()), 1)
        discount = balance * offer.discount_bps // 10_000 if offer.discount_bps else fixed
        terms = OfferTerms(balance - discount, discount, today + timedelta(days=offer.valid_days))
    invoices = tuple(
        InvoiceLine(
            f"INV-2026-{n:05d}",
            today - timedelta(days=90 - n),
            today - timedelta(days=45 - n),
            balance // 3,
            balance // 3,
            currency,
        )
        for n in range(3)
    )
    return MessageRequest(
        template=template,
        channel=channel,
        tone=tone,
        business=business,
        customer_name=name,
        customer_kind=sample.kind,
        locale=sample.locale,
        balance_minor=balance,
        currency=currency,
        days_past_due=45,
        today=today,
        invoices=invoices,
        address=PostalAddress("1234 Long Street Avenue", "Suite 500", "Springfield", "IL", "62701", "US"),
        offer=terms,
        promise=(balance // 2, today + timedelta(days=14)) if sample.promise else None,
        link="https://pay.example.com/pay/0123456789abcdef0123456789abcdef.1775001600.Do9jGKHRhNwjoNfdMQdY3g",
        disclosures=disclosures,
        unsubscribe_url="https://pay.example.com/u/MDljYjBlYWEyNGY0NTZlNTQyMTc2MjFi.d9cEKOoNcA19",
        validation_end=today + timedelta(days=35),
        reply="Thank you, we have noted that.",
    )


def _message_problems(
    step_id: str,
    template: str,
    channel: str,
    tone: str,
    offer: Offer | None,
    templates: Catalogue,
    business: Business,
    disclosures_for: Callable[[str, str], tuple[tuple[str, str], ...]],
    today: date | None,
    *,
    promise_only: bool = False,
) -> list[Problem]:
    if not templates.has(template):
        return [Problem(step_id, "", f"unknown template {template!r}")]
    day = today or date.today()
    problems: list[Problem] = []
    for sample in samples(offer=offer is not None, promise_only=promise_only):
        texts = disclosures_for(channel, sample.kind)
        request = sample_request(template, channel, tone, sample, business, day, texts, offer)
        try:
            message = render_message(request, templates)
        except MessageError as exc:
            problems.append(Problem(step_id, sample.label(), str(exc)))
            continue
        problems += [Problem(step_id, sample.label(), found) for found in check_message(message, channel)]
    return problems


def _offer_problems(step: Step, max_discount_bps: int) -> list[Problem]:
    offer = step.offer
    if offer is None:
        return []
    found: list[str] = []
    if offer.discount_bps is not None and offer.discount_bps > max_discount_bps:
        found.append(
            f"offer discount of {offer.discount_bps / 100:g}% is above the {max_discount_bps / 100:g}% "
            "allowed (--max-discount-bps to allow it)"
        )
    for currency, fixed in (offer.discount_minor or {}).items():
        floors = [b.min_minor for b in step.conditions.amount_bands if b.currency == currency]
        lowest = min((f for f in floors if f is not None), default=None)
        if lowest is None or None in floors:
            found.append(
                f"fixed {currency} discount {fixed} needs an amount band with a min_minor above it, "
                "or it can waive a whole small balance"
            )
        elif fixed >= lowest:
            found.append(
                f"fixed {currency} discount {fixed} is not below the smallest balance of its amount band "
                f"({lowest})"
            )
    if offer.valid_days < 2:
        found.append(
            f"offer valid for {offer.valid_days} day: a send deferred to the next morning would quote an "
            "offer that ends that same day"
        )
    return [Problem(step.id, "", message) for message in found]
