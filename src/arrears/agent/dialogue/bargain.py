# ruff: noqa: E501  (regex tables read best one phrase per line)
"""Negotiation within the strategy's bounds, as pure functions: read what the customer proposes (an
instalment, a number of payments, a spacing, a settlement), and decide whether the agent may agree it,
must counter with the nearest terms it may agree, or must hand the proposal to a person.

The agent never agrees anything the bounds do not allow: a plan has at least two instalments of at least
the smallest instalment, at most the most instalments, spaced within the allowed days; a settlement is at
least the floor and is paid by its last day. Everything else reaches a person with the customer's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from arrears.agent.dialogue.model import PlanBounds, SettlementBounds
from arrears.agent.numbers import digitise
from arrears.core.money import Money

MONTHLY = 30
"""The spacing a monthly plan is judged by (its instalments fall on the same day of each month)."""

_COUNT_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "doce": 12,
}  # fmt: skip
_UNITS = r"(?:monthly |weekly |equal |small |)(?:payments?|instal?l?ments?|months?|weeks?|parts?|goes|cuotas|pagos|plazos|meses|semanas|partes)"
_COUNT = re.compile(rf"\b(\d{{1,2}}|{'|'.join(_COUNT_WORDS)}) {_UNITS}\b")
_SPLIT = re.compile(
    rf"\b(?:split|divide|break)(?: it| this| that| the \w+)? (?:in|into|over|en) (\d{{1,2}}|{'|'.join(_COUNT_WORDS)})\b"
)
_SPACING: tuple[tuple[int, re.Pattern[str]], ...] = (
    (14, re.compile(r"\bfortnight(?:ly)?\b|\bevery (?:two|2|other) weeks?\b|\bbi-?weekly\b|\bquincenal(?:es|mente)?\b|\bcada (?:dos|2) semanas\b|\bcada (?:quince|15) d[ií]as\b|\b(?:a la|cada|por) quincena\b")),
    (61, re.compile(r"\bevery (?:two|2|other) months?\b|\bbi-?monthly\b|\bcada (?:dos|2) meses\b|\bbimestral(?:es)?\b")),
    (91, re.compile(r"\bquarterly\b|\bevery (?:three|3) months\b|\btrimestral(?:es)?\b|\bcada (?:tres|3) meses\b")),
    (7, re.compile(r"\bweekly\b|\b(?:a|per|each|every) week\b|\bsemanal(?:es|mente)?\b|\b(?:cada|por|a la) semana\b|\bweeks\b|\bsemanas\b")),
    (MONTHLY, re.compile(r"\bmonthly\b|\b(?:a|per|each|every) month\b|\bmensual(?:es|mente)?\b|\b(?:al|por|cada) mes\b|\bmonths\b|\bmeses\b")),
)  # fmt: skip
_PER_UNIT = re.compile(
    r"\b(?:a|per|each|every) (?:week|month|fortnight)\b|\b(?:al|por|cada) (?:mes|semana)\b|\bweekly\b|\bmonthly\b|\bsemanal(?:es)?\b|\bmensual(?:es)?\b|\bquincenal(?:es)?\b"
)
_SETTLE = re.compile(
    r"\bsettle(?:ment)?\b|\bfull and final\b|\b(?:close|clear|end|resolve|wipe) (?:out )?(?:the|this|my|it|that)(?: \w+)? for\b|\bcall it (?:even|square|quits)\b|\bliquidar\b|\bsaldar\b|\bquita\b|\bcerrar (?:la|esta|mi) (?:cuenta|deuda) (?:con|por)\b|\bpago [uú]nico de\b"
)
_LESS = re.compile(r"\bfor less\b|\breduc\w*\b|\bdiscount\w*\b|\blower (?:amount|figure|sum)\b|\bpor menos\b|\bdescuento\b|\brebaja\b|\bmenos dinero\b")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the customer put forward, as far as their words say it (None: not said)."""

    amount: Money | None
    count: int | None
    every_days: int | None
    settlement: bool
    words: str


@dataclass(frozen=True, slots=True)
class PlanTerms:
    per: Money
    count: int
    every_days: int | None  # None: monthly on the same day of the month
    last: Money
    """The last instalment: what is left of the balance after the others (at most ``per``)."""


def plan_terms(per: int, count: int, every_days: int | None, balance: Money) -> PlanTerms:
    """``count`` instalments of ``per`` minor units covering ``balance``, the last one what remains."""
    last = balance.minor - per * (count - 1)
    return PlanTerms(Money(per, balance.currency), count, every_days, Money(last, balance.currency))


@dataclass(frozen=True, slots=True)
class PlanVerdict:
    """``terms`` None: no plan within the bounds fits; ``countered``: the terms differ from the proposal."""

    terms: PlanTerms | None
    countered: bool


@dataclass(frozen=True, slots=True)
class SettlementVerdict:
    amount: Money | None
    countered: bool


def read_proposal(text: str, amount: Money | None, balance: Money) -> Proposal:
    """The customer's terms from a redacted turn and the amount understanding found in it."""
    words = digitise(text.lower())
    count_match = _COUNT.search(words) or _SPLIT.search(words)
    count = _number(count_match.group(1)) if count_match else None
    every = next((days for days, pattern in _SPACING if pattern.search(words)), None)
    settlement = bool(_SETTLE.search(words)) and (
        (amount is not None and amount.minor < balance.minor) or bool(_LESS.search(words))
    )
    whole = amount is not None and count and amount.minor * count > balance.minor >= amount.minor
    if amount is not None and count and whole and not settlement and not _PER_UNIT.search(words):
        amount = Money(-(-amount.minor // count), amount.currency)  # "300 over 3 months": the whole
    return Proposal(amount, count, every, settlement, text)


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _COUNT_WORDS[token]


def assess_plan(proposal: Proposal, balance: Money, bounds: PlanBounds | None) -> PlanVerdict:
    """The proposal itself when it is inside the bounds, else the nearest plan inside them: the customer's
    number of payments where it can be kept, else the longest plan the smallest instalment allows."""
    if bounds is None or balance.minor < 2 * bounds.min_instalment.minor or bounds.max_instalments < 2:
        return PlanVerdict(None, False)
    if proposal.amount is not None and proposal.amount.minor >= balance.minor:
        return PlanVerdict(plan_terms(balance.minor, 1, None, balance), False)  # a promise, not a plan
    every = _spacing(proposal.every_days, bounds)
    asked_every = None if proposal.every_days == MONTHLY else proposal.every_days
    spacing_kept = proposal.every_days is None or asked_every == every
    smallest, most = bounds.min_instalment.minor, bounds.max_instalments
    longest = max(smallest, _ceil(balance.minor, most))  # the smallest instalment any plan may have
    if proposal.amount is not None and proposal.amount.minor > 0:
        per = proposal.amount.minor
        kept = per >= longest and proposal.count in (None, _ceil(balance.minor, per))
        per = per if kept else longest
        count = _ceil(balance.minor, per)
    else:
        wanted = proposal.count if proposal.count is not None else most
        count = min(max(wanted, 2), most, balance.minor // smallest)
        per = _ceil(balance.minor, count)
        count = _ceil(balance.minor, per)  # rounding up can make the last one needless (4 in 3 -> 2+2)
        kept = proposal.count is None or proposal.count == count
    terms = plan_terms(per, count, every, balance)
    return PlanVerdict(terms, not (kept and spacing_kept))


def _spacing(days: int | None, bounds: PlanBounds) -> int | None:
    """The allowed spacing nearest the one asked for. None (monthly, on the same day of each month) when
    nothing or a month or more was asked and the bounds allow a month's gap (up to 31 days)."""
    wanted = MONTHLY if days is None else days
    if wanted >= MONTHLY and bounds.max_spacing_days >= 31:
        return None
    return min(max(wanted, bounds.min_spacing_days), bounds.max_spacing_days)


def assess_settlement(
    proposal: Proposal, balance: Money, bounds: SettlementBounds | None
) -> SettlementVerdict:
    """The customer's figure when it is at least the floor, else the floor; none without a floor."""
    if bounds is None or bounds.floor.minor >= balance.minor or bounds.floor.currency != balance.currency:
        return SettlementVerdict(None, False)
    offered = proposal.amount
    if offered is None:
        return SettlementVerdict(bounds.floor, False)
    if offered.minor >= bounds.floor.minor:
        return SettlementVerdict(Money(min(offered.minor, balance.minor), balance.currency), False)
    return SettlementVerdict(bounds.floor, True)


def _ceil(total: int, parts: int) -> int:
    return -(-total // parts)
