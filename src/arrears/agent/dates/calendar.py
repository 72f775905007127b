"""Calendar arithmetic the date grammar needs: month steps, weekdays, and the holidays people pay around.

Holidays are computed, not looked up, so the module stays pure and works for any year (Easter by the
anonymous Gregorian computus; floating holidays as the n-th weekday of a month).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Final, Literal

from arrears.agent.dates.hebrew import JEWISH_HOLIDAYS

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "miércoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "sábado": 5,
    "domingo": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonntag": 6,
}


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def week_start(day: date) -> date:
    """Monday of the week holding ``day`` ("this/next/last Friday" count weeks from Monday)."""
    return day - timedelta(days=day.weekday())


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th given weekday of a month (n = -1 for the last); None when the month has no such day."""
    if n < 0:
        last = month_end(year, month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    return day if day.month == month else None


def add_business_days(day: date, count: int) -> date:
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def easter(year: int) -> date:
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _floating(month: int, weekday: int, n: int) -> Callable[[int], date]:
    def compute(year: int) -> date:
        found = nth_weekday(year, month, weekday, n)
        assert found is not None
        return found

    return compute


def _black_friday(year: int) -> date:
    return _floating(11, 3, 4)(year) + timedelta(days=1)


HOLIDAYS: dict[str, Callable[[int], date]] = {
    "christmas eve": _fixed(12, 24),
    "christmas": _fixed(12, 25),
    "navidad": _fixed(12, 25),
    "nochebuena": _fixed(12, 24),
    "ano nuevo": _fixed(1, 1),
    "año nuevo": _fixed(1, 1),
    "xmas": _fixed(12, 25),
    "boxing day": _fixed(12, 26),
    "new years eve": _fixed(12, 31),
    "new year": _fixed(1, 1),
    "new years": _fixed(1, 1),
    "valentines": _fixed(2, 14),
    "saint patrick": _fixed(3, 17),
    "saint patricks": _fixed(3, 17),
    "st patrick": _fixed(3, 17),
    "st patricks": _fixed(3, 17),
    "earth day": _fixed(4, 22),
    "international workers day": _fixed(5, 1),
    "may day": _fixed(5, 1),
    "independence day": _fixed(7, 4),
    "halloween": _fixed(10, 31),
    "veterans day": _fixed(11, 11),
    "easter": easter,
    "good friday": lambda y: easter(y) - timedelta(days=2),
    "easter monday": lambda y: easter(y) + timedelta(days=1),
    "thanksgiving": _floating(11, 3, 4),
    "black friday": _black_friday,
    "memorial day": _floating(5, 0, -1),
    "labor day": _floating(9, 0, 1),
    "labour day": _floating(9, 0, 1),
    "mothers day": _floating(5, 6, 2),
    "fathers day": _floating(6, 6, 3),
    "martin luther king day": _floating(1, 0, 3),
    "presidents day": _floating(2, 0, 3),
    "mlk day": _floating(1, 0, 3),
    "columbus day": _floating(10, 0, 2),
    "indigenous peoples day": _floating(10, 0, 2),
    "ash wednesday": lambda y: easter(y) - timedelta(days=46),
    "shrove tuesday": lambda y: easter(y) - timedelta(days=47),
    "mardi gras": lambda y: easter(y) - timedelta(days=47),
    "pancake day": lambda y: easter(y) - timedelta(days=47),
    "palm sunday": lambda y: easter(y) - timedelta(days=7),
    "maundy thursday": lambda y: easter(y) - timedelta(days=3),
    "holy thursday": lambda y: easter(y) - timedelta(days=3),
    "holy saturday": lambda y: easter(y) - timedelta(days=1),
    "easter sunday": easter,
    "ascension day": lambda y: easter(y) + timedelta(days=39),
    "pentecost": lambda y: easter(y) + timedelta(days=49),
    "whit sunday": lambda y: easter(y) + timedelta(days=49),
    "whit monday": lambda y: easter(y) + timedelta(days=50),
    "mothering sunday": lambda y: easter(y) - timedelta(days=21),
    "epiphany": _fixed(1, 6),
    "groundhog day": _fixed(2, 2),
    "st david": _fixed(3, 1),
    "st george": _fixed(4, 23),
    "tax day": _fixed(4, 15),
    "anzac day": _fixed(4, 25),
    "cinco de mayo": _fixed(5, 5),
    "flag day": _fixed(6, 14),
    "juneteenth": _fixed(6, 19),
    "canada day": _fixed(7, 1),
    "bastille day": _fixed(7, 14),
    "all saints day": _fixed(11, 1),
    "all souls day": _fixed(11, 2),
    "guy fawkes": _fixed(11, 5),
    "bonfire night": _fixed(11, 5),
    "remembrance day": _fixed(11, 11),
    "armistice day": _fixed(11, 11),
    "st andrew": _fixed(11, 30),
    "australia day": _fixed(1, 26),
    "dia de reyes": _fixed(1, 6),
    "dia de muertos": _fixed(11, 2),
    "dia de los muertos": _fixed(11, 2),
    **JEWISH_HOLIDAYS,
}


Direction = Literal["forward", "backward", "neutral"]
INVALID: Final = date.min
"""A date-shaped expression that names no real day (Feb 30, the fifth Sunday of a four-Sunday month)."""


def roll_month_day(ref: date, month: int, day: int, direction: Direction) -> date | None:
    """Month and day with no year: the nearest occurrence in the direction (leap days included)."""
    if not any(safe_date(y, month, day) for y in (2000, 2001)):
        return INVALID
    step = -1 if direction == "backward" else 1
    for offset in range(0, 9):
        found = safe_date(ref.year + step * offset, month, day)
        if found and (found <= ref if step < 0 else found >= ref):
            return found
    return INVALID


def roll_day(ref: date, day: int, direction: Direction) -> date | None:
    """A day of the month with no month ("the 15th")."""
    if not 1 <= day <= 31:
        return None
    step = -1 if direction == "backward" else 1
    for offset in range(0, 13):
        anchor = add_months(ref.replace(day=1), step * offset)
        found = safe_date(anchor.year, anchor.month, day)
        if found and (found <= ref if step < 0 else found >= ref):
            return found
    return None


def roll_weekday(ref: date, weekday: int, direction: Direction) -> date:
    ahead = (weekday - ref.weekday()) % 7
    if direction == "backward":
        return ref - timedelta(days=(ref.weekday() - weekday) % 7 or 7)
    if direction == "forward" and ahead == 0:
        ahead = 7
    return ref + timedelta(days=ahead)


def modified_weekday(ref: date, weekday: int, modifier: str, direction: Direction) -> date:
    """ "this/next/last Friday" name a week (Monday first); "coming/past Friday" the nearest one."""
    modifier = " ".join(modifier.split())
    if modifier in {"next", "following", "the following"}:
        return week_start(ref) + timedelta(days=7 + weekday)
    if modifier in {"last", "previous"}:
        return week_start(ref) + timedelta(days=weekday - 7)
    if modifier in {"this past", "past"}:
        return roll_weekday(ref, weekday, "backward")
    if modifier in {"coming", "this coming", "this upcoming", "upcoming"}:
        return roll_weekday(ref, weekday, "forward")
    if modifier == "this":
        # "this Monday" said on a Tuesday: the coming Monday (a promise, or no direction: people name
        # yesterday "yesterday"), the past one for a payment made.
        day = week_start(ref) + timedelta(days=weekday)
        if direction != "backward" and day < ref:
            return day + timedelta(days=7)
        if direction == "backward" and day > ref:
            return day - timedelta(days=7)
        return day
    return roll_weekday(ref, weekday, direction)


RELATIVE_DAYS: dict[str, int] = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "end of day": 0,
    "end of the day": 0,
    "the day": 0,
    "my day": 0,
    "this day": 0,
    "otd": 0,
    "on this day": 0,
    "hoy": 0,
    "tomorrow": 1,
    "tomorrow morning": 1,
    "tomorrow afternoon": 1,
    "tomorrow night": 1,
    "manana": 1,
    "mañana": 1,
    "the next day": 1,
    "next day": 1,
    "the day after": 1,
    "the following day": 1,
    "yesterday": -1,
    "the day before": -1,
    "last day": -1,
    "the last day": -1,
    "past day": -1,
    "ayer": -1,
    "1st thing in the morning": 1,
    "1st thing tomorrow": 1,
    "demain": 1,
    "amanhã": 1,
    "amanha": 1,
    "jutro": 1,
    "morgen": 1,
    "the day after tomorrow": 2,
    "day after tomorrow": 2,
    "the day before yesterday": -2,
    "day before yesterday": -2,
}
"""Days from the reference day of the relative day words the grammar reads ("tomorrow", "demain")."""
