"""The date a customer names, resolved against the moment they said it.

``find_dates`` returns every date expression found (grammar.RULES plus durations composed onto them:
"two weeks from tomorrow", "3 days after January 12th", "Monday two weeks from now"); ``resolve_date`` picks
the one the turn is about: the longest expression, the last one on a tie (people correct themselves
forward: "Friday, no, Monday").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.agent.dates.calendar import (
    INVALID,
    WEEKDAYS,
    Direction,
    add_business_days,
    add_months,
    roll_weekday,
)
from arrears.agent.dates.grammar import NUMERIC_RULES, RULES
from arrears.agent.dates.spoken import SPOKEN_RULES
from arrears.agent.numbers import digitise
from arrears.agent.text import canonical

__all__ = [
    "INVALID",
    "Direction",
    "Found",
    "day_first",
    "find_dates",
    "prepare",
    "prepare_digitised",
    "resolve_date",
]

_UNIT = r"(?:business days?|working days?|days?|weeks?|wks?|months?|years?|fortnights?)"
_QTY = r"(?:\d+|an?|a couple of|couple of|a few|few|several)"
_DUR = rf"(?P<dur>(?:{_QTY} {_UNIT}(?:,? (?:and )?)?)+|a fortnight|fortnight)"
_DUR_PART = re.compile(rf"(?P<q>{_QTY}) (?P<u>{_UNIT})|(?P<f>fortnight)")
_WD = r"(?P<wd>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")"

_IN = re.compile(rf"\b(?:in|within) {_DUR}(?:'?s? time)?(?! (?:from|after|before|since)\b)")
_AGO = re.compile(rf"\b{_DUR} (?P<dir>ago|later|from now|hence|from today)\b")
_LINK = re.compile(rf"\b(?:in )?{_DUR} (?P<dir>from|after|before|since) (?:the year )?$")
_NTH_WD = re.compile(rf"\b(?P<q>\d+|an?) {_WD}s? (?:from now|later)\b")
_WD_BEFORE = re.compile(rf"\b{_WD},? $")
_WD_AFTER = re.compile(rf"^,?\s*(?:on )?{_WD}\b")
_APOSTROPHE = re.compile(r"'s\b|'")
_PAYDAY = re.compile(
    r"\b(?:(?:my|the|next|this) )?(?:pay ?day|pay ?check|pay ?cheque|wage day|salary day)\b|"
    r"\b(?:when|once|after) (?:i|we) (?:get|am|are|m|re) paid\b|\b(?:when|once|after) (?:my |our )?"
    r"(?:wages?|salary|pay|paycheck|check) "
    r"(?:comes? in|arrives?|lands?|clears?|hits)\b|\b(?:el )?d[ií]a de (?:pago|cobro)\b|"
    r"\bcuando (?:me paguen|me pagan|cobre|cobro)\b"
)
_MONTH_FIRST = frozenset({"en", "en-us", "en-ca", "en-ph", "en-pr", "en-gu", "en-as", "en-vi", "en-um"})
PROMISE_HORIZON = timedelta(days=366)
"""A promise further off than this is no promise the agent can book: resolve_date gives None."""
_YEAR_ANCHOR = re.compile(r"\b(?:the year )?(?P<y>(?:1[89]|20)\d{2})\b")


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    day: date
    """INVALID when the expression names an impossible date."""


def _qty(text: str) -> int:
    return {"a": 1, "an": 1, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3, "several": 3}.get(
        text, int(text) if text.isdigit() else 1
    )


def shift(day: date, duration: str, sign: int) -> date:
    for part in _DUR_PART.finditer(duration):
        if part.group("f"):
            day += timedelta(days=14 * sign)
            continue
        q, unit = _qty(part.group("q")) * sign, part.group("u")
        if unit.startswith(("business", "working")):
            day = add_business_days(day, q)
        elif unit.startswith("day"):
            day += timedelta(days=q)
        elif unit.startswith("w"):
            day += timedelta(days=7 * q)
        elif unit.startswith("fortnight"):
            day += timedelta(days=14 * q)
        elif unit.startswith("month"):
            day = add_months(day, q)
        else:
            day = add_months(day, 12 * q)
    return day


def day_first(locale: str | None) -> bool:
    """Whether "4/5" is the 4th of May: everywhere but the US and a few places that follow it ("en" and
    None keep the month-first reading the resolver always had)."""
    return locale is not None and locale.replace("_", "-").lower() not in _MONTH_FIRST


def _base(text: str, ref: date, direction: Direction, dmy: bool = False) -> list[Found]:
    found: list[Found] = []
    for pattern, numeric in NUMERIC_RULES:
        for m in pattern.finditer(text):
            day = numeric(m, ref, direction, dmy)
            if day is not None:
                found.append(Found(m.start(), m.end(), day))
    for pattern, resolve in (*RULES, *SPOKEN_RULES):
        for m in pattern.finditer(text):
            day = resolve(m, ref, direction)
            if day is not None:
                found.append(Found(m.start(), m.end(), day))
    for m in _IN.finditer(text):
        found.append(Found(m.start(), m.end(), shift(ref, m.group("dur"), 1)))
    for m in _AGO.finditer(text):
        sign = -1 if m.group("dir") == "ago" else 1
        found.append(Found(m.start(), m.end(), shift(ref, m.group("dur"), sign)))
    for m in _NTH_WD.finditer(text):
        day = roll_weekday(ref, WEEKDAYS[m.group("wd")], "forward") + timedelta(
            days=7 * (_qty(m.group("q")) - 1)
        )
        found.append(Found(m.start(), m.end(), day))
    return found


def _compose(text: str, found: list[Found]) -> list[Found]:
    """ "N units from/after/before <date>": a duration laid onto a date found right after it."""
    out = list(found)
    anchors = [*found]
    for m in _YEAR_ANCHOR.finditer(text):
        anchors.append(Found(m.start("y"), m.end("y"), date(int(m.group("y")), 1, 1)))
    for anchor in anchors:
        if anchor.day == INVALID:
            continue
        link = _LINK.search(text[: anchor.start])
        if link:
            sign = -1 if link.group("dir") == "before" else 1
            out.append(Found(link.start(), anchor.end, shift(anchor.day, link.group("dur"), sign)))
    return out


def _attach_weekday(text: str, found: list[Found]) -> list[Found]:
    """ "Monday two weeks from now", "in 3 days on Friday": that weekday of the week (Sunday first)."""
    out = list(found)
    for item in found:
        if item.day == INVALID or item.end - item.start < 8:
            continue
        after = _WD_AFTER.search(text[item.end :])
        before = _WD_BEFORE.search(text[: item.start])
        for m, start, end in (
            (after, item.start, item.end + (after.end() if after else 0)),
            (before, before.start() if before else 0, item.end),
        ):
            if m is None:
                continue
            sunday = item.day - timedelta(days=(item.day.weekday() + 1) % 7)
            out.append(Found(start, end, sunday + timedelta(days=(WEEKDAYS[m.group("wd")] + 1) % 7)))
    return out


def prepare(text: str) -> str:
    """Canonical, digitised text without apostrophes ("today's" -> "today", "workers'" -> "workers")."""
    return prepare_digitised(digitise(canonical(text)))


def prepare_digitised(digitised: str) -> str:
    return _APOSTROPHE.sub("", digitised)


def find_dates(
    prepared: str,
    reference: date,
    direction: Direction = "neutral",
    *,
    locale: str | None = None,
    payday: date | None = None,
) -> list[Found]:
    """Every date expression in the turn. ``locale`` (BCP 47, e.g. "en-GB", "es-MX") decides "4/5";
    ``payday`` is the customer's next payday when the account knows it: without it "payday" names no day."""
    base = _base(prepared, reference, direction, day_first(locale))
    if payday is not None:
        base += [Found(m.start(), m.end(), payday) for m in _PAYDAY.finditer(prepared)]
    found = _attach_weekday(prepared, _compose(prepared, base))
    found.sort(key=lambda f: (-(f.end - f.start), -f.start))
    kept: list[Found] = []
    for item in found:
        if all(item.end <= k.start or item.start >= k.end for k in kept):
            kept.append(item)
    return sorted(kept, key=lambda f: f.start)


def resolve_date(
    prepared: str,
    reference: date,
    direction: Direction = "neutral",
    *,
    locale: str | None = None,
    payday: date | None = None,
) -> date | None:
    """The date the turn is about, or None (also when it names an impossible date, and, for a promise,
    a day more than PROMISE_HORIZON away)."""
    found = find_dates(prepared, reference, direction, locale=locale, payday=payday)
    if not found:
        return None
    best = max(found, key=lambda f: (f.end - f.start, f.start))
    if best.day == INVALID:
        return None
    if direction == "forward" and abs(best.day - reference) > PROMISE_HORIZON:
        return None
    return best.day
