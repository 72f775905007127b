"""Right-party verification by exact match: the turn must state one answer, and it must be the value on
record. A substring test let one message listing a hundred postcodes verify, so a turn that offers two or
more candidates never verifies, even when one of them is right.
"""

from __future__ import annotations

import re
from datetime import date

from arrears.agent.dates import find_dates, prepare
from arrears.agent.dialogue.model import CaseContext

#: A numeric date with the year last: "12/07/1984" is 12 July to most of the world and 7 December to the
#: US, so one such date is one candidate with two readings.
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_TOKEN = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")


def identity_matches(text: str, ctx: CaseContext) -> bool:
    """Does the turn state exactly one answer, equal to the identity value on record? Dates compare as
    dates; anything else as letters and digits, case and spacing aside ("sw1a1aa" = "SW1A 1AA")."""
    value = ctx.identity.value
    try:
        expected = date.fromisoformat(value)
    except ValueError:
        return _one_value(text, value)
    stated = _stated_dates(text, expected)
    return len(stated) == 1 and expected in stated[0]


def _one_value(text: str, value: str) -> bool:
    """The whole value appears (not inside a longer token) and no other candidate remains beside it."""
    squash = re.sub(r"[\W_]", "", value.lower())
    if not squash:
        return False
    whole = re.compile(
        r"(?<![^\W_])" + r"[\W_]*".join(re.escape(c) for c in squash) + r"(?![^\W_])", re.IGNORECASE
    )
    if whole.search(text) is None:
        return False
    rest = _TOKEN.findall(whole.sub(" ", text))
    if _DIGIT.search(squash):
        return not any(_DIGIT.search(token) for token in rest)
    return not any(len(token) == len(squash) for token in rest)


def _year(y: int) -> int:
    return y if y > 99 else (2000 + y if y < 40 else 1900 + y)


def _readings(year: int, first: int, second: int) -> set[date]:
    days: set[date] = set()
    for month, day in ((first, second), (second, first)):
        try:
            days.add(date(year, month, day))
        except ValueError:
            continue
    return days


def _stated_dates(text: str, expected: date) -> list[set[date]]:
    """Each date the turn states, as the set of its possible readings. A worded date counts only with its
    year ("the 12th" alone would be one day in 31)."""
    stated: list[set[date]] = []
    for m in _ISO_DATE.finditer(text):  # year-month-day: one reading only
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        stated.append({d for d in _readings(year, month, day) if (d.month, d.day) == (month, day)})
    text = _ISO_DATE.sub(" ", text)
    for m in _NUMERIC_DATE.finditer(text):
        stated.append(_readings(_year(int(m.group(3))), int(m.group(1)), int(m.group(2))))
    prepared = prepare(_NUMERIC_DATE.sub(" ", text))
    worded = [{f.day} for f in find_dates(prepared, expected, "neutral")]
    said_year = re.compile(rf"\b(?:{expected.year}|'?{expected.year % 100:02d})\b")
    if len(worded) == 1 and expected in worded[0] and said_year.search(prepared) is None:
        worded = [set()]  # the right day without its year: not an answer
    return stated + worded
