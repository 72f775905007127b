# ruff: noqa: E501  (regex tables read best one phrase per line)
"""Single date expressions: absolute dates in many spellings, ordinal days, weekdays, relative days,
holidays and durations from now.

Each rule is a regex over the digitised, lowercased turn and a resolver that turns the match into a date
against the reference day. Ambiguous expressions resolve by ``direction``: forward for a promise (the next
Friday), backward for a payment already made (the last Friday), neutral for anything else (the nearest
reading from today on). A rule may also say the text names an impossible date (30 February); that is
reported as INVALID rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from arrears.agent.dates.calendar import (
    HOLIDAYS,
    INVALID,
    MONTHS,
    RELATIVE_DAYS,
    WEEKDAYS,
    Direction,
    add_months,
    modified_weekday,
    month_end,
    nth_weekday,
    roll_day,
    roll_month_day,
    safe_date,
    week_start,
)

Resolved = date | None
Rule = tuple[re.Pattern[str], Callable[[re.Match[str], date, Direction], Resolved]]
NumericResolver = Callable[[re.Match[str], date, Direction, bool], Resolved]

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WD = r"(?P<wd>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|'\d{2}|\d{2}(?![\d:]))"
_FOLLOW_OK = (
    r"(?=\s*(?:$|[.,!?;)\]]|(?:of|when|and|at|so|then|but|or|please|thanks|because|as|if|i|we|it|before|"
    r"after|by|to|which|is|will|you|day|morning|afternoon|evening|night|with|in|for|on|from|that|once|"
    r"since|cuando|y|maybe|probably|hopefully|latest|mate|ok|okay|sir|madam|fingers|max|tops|positively|too|"
    r"sometime|or so|ish|definitely|for sure|promise|thx|cheers|guys|hun|love|dear|regards|kind|warm|best)\b))"
)
_ORD_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_ORD = r"(?P<nth>1st|2nd|3rd|4th|5th|first|second|third|fourth|fifth|last)"


def year_of(text: str) -> int:
    digits = text.lstrip("'")
    value = int(digits)
    if len(digits) == 2:
        return 2000 + value if value < 40 else 1900 + value
    return value


def month_of(text: str) -> int:
    return MONTHS[text.rstrip(".")]


def full_date(year: int, month: int, day: int) -> Resolved:
    return safe_date(year, month, day) or INVALID


def _md(month: int, day: int, year: str | None, ref: date, direction: Direction, mod: str = "") -> Resolved:
    if year:
        return full_date(year_of(year), month, day)
    if mod == "this":
        return full_date(ref.year, month, day)
    if mod == "next":
        return full_date(ref.year + 1, month, day)
    return roll_month_day(ref, month, day, direction)


def _g(m: re.Match[str], name: str) -> str | None:
    try:
        return m.group(name)
    except IndexError:
        return None


def _name_date(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    return _md(
        month_of(m.group("mon")), int(m.group("day")), _g(m, "year"), ref, direction, _g(m, "mod") or ""
    )


def numeric(m: re.Match[str], ref: date, direction: Direction, day_first: bool = False) -> Resolved:
    """ "3/15", "15/3": month first unless ``day_first`` (the customer's locale); an impossible reading
    gives way to the other one."""
    a, b = int(m.group("a")), int(m.group("b"))
    if day_first:
        a, b = b, a
    month, day = (b, a) if a > 12 >= b else (a, b)
    if month > 12 or day > 31 or month == 0 or day == 0:
        return None
    return _md(month, day, _g(m, "year"), ref, direction, _g(m, "mod") or "")


def _iso(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    year, a, b = int(m.group("year")), int(m.group("a")), int(m.group("b"))
    if not 1000 <= year <= 2999:
        return None
    month, day = (b, a) if a > 12 >= b else (a, b)
    return safe_date(year, month, day)


def _ordinal_day(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    return roll_day(ref, int(m.group("day")), direction)


def _day_of_month_rel(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    shift = {"next": 1, "this": 0, "last": -1, "previous": -1, "the following": 1, "following": 1}
    anchor = add_months(ref.replace(day=1), shift[m.group("rel")])
    return safe_date(anchor.year, anchor.month, int(m.group("day"))) or INVALID


def _weekday_day(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    """ "Friday the 15th": the nearest month where the 15th is a Friday."""
    weekday, day = WEEKDAYS[m.group("wd")], int(m.group("day"))
    step = -1 if direction == "backward" else 1
    for offset in range(0, 28):
        anchor = add_months(ref.replace(day=1), step * offset)
        found = safe_date(anchor.year, anchor.month, day)
        if found is None or found.weekday() != weekday:
            continue
        if direction == "neutral" and offset == 0:
            return found
        if found <= ref if step < 0 else found >= ref:
            return found
    return None


def _weekday(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    return modified_weekday(ref, WEEKDAYS[m.group("wd")], _g(m, "mod") or "", direction)


def _weekday_in_week(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    rel = " ".join(m.group("rel").split())
    shift = {"this": 0, "next": 7, "the following": 7, "following": 7, "last": -7, "previous": -7}[rel]
    return week_start(ref) + timedelta(days=shift + WEEKDAYS[m.group("wd")])


def _nth_weekday(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    nth = m.group("nth")
    n = _ORD_WORDS.get(nth) or int(nth[0])
    weekday = WEEKDAYS[m.group("wd")]
    rel = _g(m, "rel")
    mon = _g(m, "mon")
    if mon:
        month = month_of(mon)
        for year in range(ref.year, ref.year + 6):
            found = nth_weekday(year, month, weekday, n)
            if found and found >= ref:
                return found
        return INVALID
    shift = {None: 0, "this": 0, "next": 1, "last": -1, "previous": -1, "the following": 1}.get(rel, 0)
    anchor = add_months(ref.replace(day=1), shift)
    return nth_weekday(anchor.year, anchor.month, weekday, n) or INVALID


def _week_of_month(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    n = int(m.group("nth")[0]) if m.group("nth")[0].isdigit() else _ORD_WORDS[m.group("nth")]
    first = roll_month_day(ref, month_of(m.group("mon")), 1, "forward")
    if first is None or first == INVALID:
        return INVALID
    day = first + timedelta(days=7 * (n - 1))
    return week_start(day) + timedelta(days=WEEKDAYS[m.group("wd")])


def _relative_day(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    return ref + timedelta(days=RELATIVE_DAYS[" ".join(m.group(0).split())])


def _month_edge(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    rel = m.group("rel") or "this"
    shift = {"this": 0, "the": 0, "next": 1, "last": -1, "previous": -1}.get(rel.strip(), 0)
    anchor = add_months(ref.replace(day=1), shift)
    if m.group("edge") in {"end", "last day"}:
        return month_end(anchor.year, anchor.month)
    if shift == 0 and rel.strip() in {"the", "this"} and direction != "backward":
        anchor = add_months(anchor, 1)
    return anchor


def holiday(name: str, year: int) -> date:
    return HOLIDAYS[name](year)


def _holiday(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    name = " ".join(m.group("hol").split())
    name = re.sub(r" day$", "", name) if name not in HOLIDAYS else name
    if name not in HOLIDAYS:
        name = name + " day" if name + " day" in HOLIDAYS else name
    if name not in HOLIDAYS:
        return None
    year = _g(m, "year")
    if year:
        return holiday(name, year_of(year))
    mod = (_g(m, "mod") or "").strip()
    if _g(m, "thisyear"):
        return holiday(name, ref.year)
    candidates = [holiday(name, y) for y in range(ref.year - 2, ref.year + 3)]
    if mod in {"last", "previous"} or (not mod and direction == "backward"):
        return max(d for d in candidates if d < ref)
    if mod in {"next", "following"}:
        return min(d for d in candidates if d > ref)
    return min(d for d in candidates if d >= ref)


_HOL = (
    r"(?P<hol>"
    + "|".join(
        sorted(
            {re.escape(k) for k in HOLIDAYS}
            | {
                "new year day",
                "new years day",
                "christmas day",
                "valentines day",
                "valentine",
                "st patricks day",
                "saint patricks day",
                "independence",
                "4th of july",
                "fourth of july",
                "international workers",
            },
            key=len,
            reverse=True,
        )
    )
    + r")(?: day)?"
)


HOLIDAY_PATTERN = _HOL
resolve_holiday = _holiday


def _week_end(m: re.Match[str], ref: date, direction: Direction) -> Resolved:
    """ "by the end of the week": that week's Friday (the last working day), the next one once it has passed."""
    rel = (m.group("rel") or "this").strip()
    friday = week_start(ref) + timedelta(days=4 + (7 if rel == "next" else -7 if rel == "last" else 0))
    if rel in {"the", "this"} and friday < ref and direction != "backward":
        friday += timedelta(days=7)
    return friday


NUMERIC_RULES: tuple[tuple[re.Pattern[str], NumericResolver], ...] = (
    (
        re.compile(
            rf"(?<![\d$£€.,])(?:(?P<mod>this|next) )?(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})"
            rf"(?:(?P=sep)|,|, ?){_YEAR}"
        ),
        numeric,
    ),
    (
        re.compile(
            r"(?<![\d$£€.,/])(?:(?P<mod>this|next) )?(?P<a>\d{1,2})(?:/|-|\.(?=\d{1,2}\b))(?P<b>\d{1,2})"
            r"(?![\d/%]|\.\d| ?(?:million|billion|thousand|k\b|%|percent|am\b|pm\b))"
        ),
        numeric,
    ),
    (
        re.compile(
            rf"\b(?:(?P<mod>this) )?(?:next )?{_WD},? \(?(?P<a>\d{{1,2}})[/.-](?P<b>\d{{1,2}})(?![\d/.-])"
        ),
        numeric,
    ),
)
"""Day and month in digits, read by the customer's locale (``numeric``'s ``day_first``)."""

RULES: tuple[Rule, ...] = (
    (re.compile(r"\b(?P<year>\d{4})[-/.](?P<a>\d{1,2})[-/.](?P<b>\d{1,2})(?!\d)"), _iso),
    (re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<a>[01]\d)(?P<b>[0-3]\d)(?!\d)"), _iso),
    (re.compile(r"\b(?P<year>(?:19|20)\d{2}) (?P<a>\d{1,2}) (?P<b>\d{1,2})\b"), _iso),
    (re.compile(rf"\b(?P<year>\d{{4}})[/-]{_MON}[/-]{_DAY}\b"), _name_date),
    (re.compile(rf"\b(?P<year>\d{{4}})[/-]{_DAY}[/-]{_MON}(?![a-z])"), _name_date),
    (re.compile(rf"\b{_DAY}[/-]{_MON}[/-](?P<year>\d{{4}})\b"), _name_date),
    (re.compile(rf"\b{_DAY}-(?P<year>\d{{4}})-{_MON}(?![a-z])"), _name_date),
    (re.compile(rf"\b{_MON}-(?P<year>\d{{4}})-{_DAY}\b"), _name_date),
    (
        re.compile(
            rf"(?<![$£€\d])(?<![$£€] )\b(?:(?P<mod>next|this) )?(?:{_WD},? )?(?:the |el (?:d[ií]a )?)?{_DAY}\.?"
            rf"(?: day)?(?: of| de|,)? {_MON}(?![a-z])"
            rf"(?:,? (?:of |in |de |del )?{_YEAR})?"
        ),
        _name_date,
    ),
    (
        re.compile(
            rf"\b(?:(?P<mod>this) )?(?:{_WD}[,-]? ?\(?)?(?<![a-z]){_MON} ?[-/,]?(?: ?the)? ?{_DAY}(?![\d:]|(?: ?%)|\.\d)"
            rf"(?:\s*[,-]?\s*(?:of )?{_YEAR})?(?![a-z])"
        ),
        _name_date,
    ),
    (
        re.compile(
            rf"\b(?:on|by|for|until|till|before|after|from|starting|the|el)\s+(?:the\s+)?"
            rf"(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b{_FOLLOW_OK}"
        ),
        _ordinal_day,
    ),
    (re.compile(rf"\b(?:on|the|el)\s+(?P<day>[0-3]?\d)\b{_FOLLOW_OK}"), _ordinal_day),
    (
        re.compile(rf"\b(?:the )?{_DAY}(?: day)? of (?P<rel>next|this|last|previous|the following) month\b"),
        _day_of_month_rel,
    ),
    (
        re.compile(
            rf"\b{_WD},? (?:the )?{_DAY}(?![\d:]|[./-]\d| ?(?:am|pm|%|dollars?|pounds?))(?! (?:of )?[a-z]{{3}})"
        ),
        _weekday_day,
    ),
    (
        re.compile(rf"\b(?:the )?{_ORD} {_WD} (?:of|in) (?:(?P<rel>this|next|last|previous) month|{_MON})"),
        _nth_weekday,
    ),
    (
        re.compile(rf"\b(?:the )?(?P<nth>1st|2nd|3rd|4th|5th|first|second|third|fourth|fifth) {_WD}\b"),
        _nth_weekday,
    ),
    (
        re.compile(rf"\b(?P<nth>1st|2nd|3rd|4th|first|second|third|fourth) week of {_MON} on {_WD}\b"),
        _week_of_month,
    ),
    (
        re.compile(rf"\b(?:on )?{_WD} (?:of )?(?P<rel>this|next|last|previous|the following) week\b"),
        _weekday_in_week,
    ),
    (re.compile(rf"\b(?P<rel>this|next|last|previous) week(?: -| on| ,)? {_WD}\b"), _weekday_in_week),
    (
        re.compile(
            rf"\b(?:(?P<mod>this past|this coming|this upcoming|coming|upcoming|past|following|"
            rf"next|last|previous|this) )?{_WD}\b"
        ),
        _weekday,
    ),
    (
        re.compile(
            r"\b(?:the )?(?:(?P<edge>end|beginning|start|last day) of )(?P<rel>the |this |next |last )?"
            r"month\b"
        ),
        _month_edge,
    ),
    (
        re.compile(r"\b(?:the )?end of (?P<rel>the |this |next |last )?(?:working |work )?week\b"),
        _week_end,
    ),
    (
        re.compile(
            r"\b(?:the )?day (?:after|before) (?:tomorrow|yesterday)\b|\b(?:the )?(?:next|following) "
            r"day\b|\bthe day (?:after|before)\b|\b(?:the )?last day\b|\bpast day\b|\b(?:my|this|the) day\b|"
            r"\btomorrow(?: morning| afternoon| night)?\b|\btoday\b|\btonight\b|\byesterday\b|"
            r"\bthis (?:morning|afternoon|evening)\b|\bend of (?:the )?day\b|\botd\b|\bhoy\b|"
            r"\bma[nñ]ana\b|\bayer\b|\b1st thing (?:in the morning|tomorrow)\b|\bdemain\b|\bamanh[ãa]\b|"
            r"\bjutro\b|(?<!heute )\bmorgen\b"
        ),
        _relative_day,
    ),
    (
        re.compile(
            rf"\b(?:(?P<mod>next|last|previous|following|this) )?{_HOL}(?: {_YEAR})?"
            rf"(?P<thisyear> of this year)?\b"
        ),
        _holiday,
    ),
)
