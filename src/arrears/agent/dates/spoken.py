"""Forms people use when they promise or report a payment, beyond the core grammar.

"after Christmas" / "after Diwali" / "after Eid" (the first day after the holiday), "month end", "mid
month", "a week on Friday", "a fortnight today", "give me two weeks", and the Spanish forms ("el 15 de
marzo" is in the core grammar): "fin de mes", "el viernes que viene", "el lunes pasado", "pasado mañana",
"en dos semanas", "el día 5". Each rule has the core grammar's shape: a regex over the prepared turn and a
resolver of (match, reference, direction).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from arrears.agent.dates.calendar import (
    MONTHS,
    WEEKDAYS,
    Direction,
    add_months,
    month_end,
    roll_day,
    roll_month_day,
    roll_weekday,
    week_start,
)
from arrears.agent.dates.festivals import ALIASES, festival
from arrears.agent.dates.grammar import HOLIDAY_PATTERN, Resolved, Rule, resolve_holiday

_WD = r"(?P<wd>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")"
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_FEST = r"(?P<fest>" + "|".join(sorted(ALIASES, key=len, reverse=True)).replace(" ", "[ -]") + r")"
_AFTER = (
    r"(?P<edge>(?:right |just |straight |soon |the (?:1st )?day )?after|before|(?:despues|después) del?|"
    r"antes del?)"
)
_NUM_ES = {
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15, "veinte": 20, "treinta": 30,
}  # fmt: skip
_QTY_ES = r"(?P<q>\d+|" + "|".join(_NUM_ES) + r")"
_UNIT_ES = r"(?P<u>d[ií]as?|semanas?|quincenas?|mes(?:es)?|a[nñ]os?)"
_UNIT_EN = r"(?P<u>days?|weeks?|fortnights?|months?)"
_QTY_EN = r"(?P<q>\d+|an?|a couple of|a few|another|an extra|a further)"
_NEXT_ES = r"(?:que viene|proxima|próxima|proximo|próximo|siguiente|entrante)"


def _shift(day: date, quantity: int, unit: str) -> date:
    unit = unit.lower()
    if unit.startswith("d"):
        return day + timedelta(days=quantity)
    if unit.startswith(("w", "sem")):
        return day + timedelta(days=7 * quantity)
    if unit.startswith(("f", "quin")):
        return day + timedelta(days=14 * quantity)
    if unit.startswith(("mon", "mes")):
        return add_months(day, quantity)
    return add_months(day, 12 * quantity)


def _quantity(text: str) -> int:
    return int(text) if text.isdigit() else _NUM_ES.get(text, {"a couple of": 2, "a few": 3}.get(text, 1))


def _after_holiday(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    """The day after (before) the holiday: the holiday itself is found forward from the day before."""
    step = -1 if m.group("edge").startswith(("before", "antes")) else 1
    anchor = ref - timedelta(days=step) if direction != "backward" else ref
    day = resolve_holiday(m, anchor, direction)
    return None if day is None else day + timedelta(days=step)


def _after_festival(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    name = re.sub(r"[ -]+", " ", m.group("fest"))
    edge = m.group("edge") or ""
    step = -1 if edge.startswith(("before", "antes")) else 1 if edge else 0
    day = festival(name, ref - timedelta(days=step), direction == "backward")
    return None if day is None else day + timedelta(days=step)


def _month_end(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    anchor = add_months(ref.replace(day=1), 1 if m.group("next") else 0)
    end = month_end(anchor.year, anchor.month)
    if direction == "backward" and end > ref and not m.group("next"):
        previous = add_months(anchor, -1)
        return month_end(previous.year, previous.month)
    return end


def _month_start(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    return roll_day(ref + timedelta(days=1), 1, "backward" if direction == "backward" else "forward")


def _mid_month(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    if m.group("next"):
        anchor = add_months(ref.replace(day=1), 1)
        return anchor.replace(day=15)
    return roll_day(ref, 15, direction)


def _weekday_es(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    weekday = WEEKDAYS[m.group("wd")]
    if not (m.group("pre") or m.group("post")):
        return None  # a bare weekday is the core grammar's
    if m.group("past"):
        return roll_weekday(ref, weekday, "backward")
    if m.group("week"):
        return week_start(ref) + timedelta(days=7 + weekday)
    return roll_weekday(ref, weekday, "forward")


def _relative_es(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    return ref + timedelta(days=-2 if m.group(0).startswith(("ante", "anti")) else 2)


def _duration(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    sign = -1 if m.group(0).startswith("hace") else 1
    return _shift(ref, sign * _quantity(m.group("q")), m.group("u"))


def _week_on(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    """British "a week on Friday", "a fortnight today": the anchor day, then the weeks."""
    if m.group("wd"):
        anchor = roll_weekday(ref, WEEKDAYS[m.group("wd")], "forward")
    else:
        anchor = ref + timedelta(days=1 if m.group("rel") == "tomorrow" else 0)
    return _shift(anchor, _quantity(m.group("q")), m.group("u"))


def _after_next(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    """ "Friday after next": the Friday after the coming one."""
    return roll_weekday(ref, WEEKDAYS[m.group("wd")], "forward") + timedelta(days=7)


def _after_weekend(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    """ "after the weekend": the Monday that ends it (the last one, for a payment made)."""
    return roll_weekday(ref, 0, "backward" if direction == "backward" else "forward")


def _first_es(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    if m.group("mon"):
        return roll_month_day(ref, MONTHS[m.group("mon")], 1, direction)
    return roll_day(ref, 1, direction)


def _day_es(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    return roll_day(ref, int(m.group("day")), direction)


SPOKEN_RULES: tuple[Rule, ...] = (
    (re.compile(rf"\b{_AFTER} (?:the )?(?P<mod>next |this )?{HOLIDAY_PATTERN}\b"), _after_holiday),
    (re.compile(rf"\b(?:{_AFTER} )?(?:the )?{_FEST}\b"), _after_festival),
    (
        re.compile(
            r"\b(?:(?:the )?month[ -]?end|eom|end of (?:the )?mo|(?:a |para |antes de )?(?:fin|finales|final)"
            rf"(?: de| del) mes(?P<next> {_NEXT_ES})?)\b"
        ),
        _month_end,
    ),
    (
        re.compile(r"\b(?:a |para )?(?:principios|principio|inicios?|comienzos?) (?:de|del) mes\b"),
        _month_start,
    ),
    (
        re.compile(
            r"\b(?:(?:the )?mid[ -]?month|(?:the )?middle of (?:the |this |(?P<next>next) )?month|"
            r"(?:a )?mediados (?:de|del) mes)\b"
        ),
        _mid_month,
    ),
    (
        re.compile(
            rf"\b(?:el )?(?P<pre>(?:proximo|próximo) )?{_WD}(?P<post> (?:(?P<past>pasado)|que viene|proximo|"
            rf"próximo|(?P<week>de la (?:semana que viene|(?:proxima|próxima) semana|"
            rf"semana (?:proxima|próxima)))))?\b"
        ),
        _weekday_es,
    ),
    (re.compile(r"\bpasado ma[nñ]ana\b|\banteayer\b|\bantier\b|\bantes de ayer\b"), _relative_es),
    (re.compile(rf"\b(?:en|dentro de|hace) {_QTY_ES} {_UNIT_ES}\b"), _duration),
    (
        re.compile(
            rf"\b(?:give me|gimme|allow me|i need|need|wait|within the next|let me have) "
            rf"{_QTY_EN} {_UNIT_EN}\b(?! (?:ago|from|after|before))"
        ),
        _duration,
    ),
    (
        re.compile(
            rf"\b(?P<q>a|1|2|3) (?P<u>weeks?|fortnight)(?: on| from)? (?:(?P<rel>today|tomorrow)|{_WD})\b"
        ),
        _week_on,
    ),
    (re.compile(rf"\b(?:the )?{_WD} after next\b"), _after_next),
    (
        re.compile(
            r"\b(?:after|despues del?|después del?) (?:the |this |el |este )?"
            r"(?:weekend|fin de semana|finde)\b"
        ),
        _after_weekend,
    ),
    (re.compile(rf"\bel (?:primero|1ro|1º|1°)(?: de {_MON})?\b"), _first_es),
    (re.compile(r"\b(?:el )?d[ií]a (?P<day>[0-3]?\d)\b(?! de)"), _day_es),
)
