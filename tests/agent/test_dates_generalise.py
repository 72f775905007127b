"""Dates as people say them when promising or reporting a payment (issue 12, item 5).

Every sentence here was written for this test (none comes from an evaluation corpus). The reference is
Tuesday 10 March 2026 unless a test says otherwise.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.agent.dates import Direction, day_first, prepare, resolve_date
from arrears.agent.dates.festivals import FESTIVALS

TUESDAY = date(2026, 3, 10)


def read(
    text: str,
    direction: Direction = "forward",
    ref: date = TUESDAY,
    locale: str | None = None,
    payday: date | None = None,
) -> date | None:
    return resolve_date(prepare(text), ref, direction, locale=locale, payday=payday)


def test_this_monday_said_on_a_tuesday() -> None:
    """A promise for "this Monday" is the coming one; a payment made "this Monday" is yesterday's."""
    assert read("ok I'll send it this Monday") == date(2026, 3, 16)
    assert read("I already paid this monday", "backward") == date(2026, 3, 9)
    assert read("i'll pay this thursday") == date(2026, 3, 12)
    assert read("this tuesday works", ref=TUESDAY) == TUESDAY


@pytest.mark.parametrize(
    "text",
    ["should have it by the end of the month", "month end at the latest", "can do EOM", "at month-end"],
)
def test_end_of_the_month(text: str) -> None:
    assert read(text) == date(2026, 3, 31)


def test_end_of_the_month_for_a_payment_made_is_the_last_one() -> None:
    assert read("paid it at month end", "backward") == date(2026, 2, 28)


@pytest.mark.parametrize(
    "text", ["I'll pay on payday", "when I get paid", "next payday", "once my wages come in"]
)
def test_payday_is_no_day_unless_known(text: str) -> None:
    assert read(text) is None
    assert read(text, payday=date(2026, 3, 20)) == date(2026, 3, 20)


def test_a_named_day_beats_an_unknown_payday() -> None:
    assert read("payday is friday so friday then") == date(2026, 3, 13)


def test_the_first() -> None:
    assert read("I can do the 1st") == date(2026, 4, 1)
    assert read("i sent it on the 1st", "backward") == date(2026, 3, 1)
    assert read("el primero te lo mando") == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("right after christmas I promise", date(2026, 12, 26)),
        ("after Diwali we will clear it", date(2026, 11, 9)),
        ("after eid inshallah", date(2026, 3, 21)),
        ("just after Eid al-Adha", date(2026, 5, 28)),
        ("después de navidad", date(2026, 12, 26)),
        ("before christmas", date(2026, 12, 24)),
    ],
)
def test_after_a_holiday_is_the_day_after(text: str, expected: date) -> None:
    assert read(text) == expected


def test_after_a_holiday_backward_is_the_last_one() -> None:
    assert read("I paid right after christmas", "backward") == date(2025, 12, 26)
    assert read("sent it after diwali", "backward") == date(2025, 10, 21)


def test_festivals_outside_the_table_name_no_day() -> None:
    last = max(max(days) for days in FESTIVALS.values())
    assert read("after diwali", ref=last + timedelta(days=2)) is None
    assert read("after eid", ref=last + timedelta(days=2)) is None


@pytest.mark.parametrize(
    "text",
    ["in two weeks", "in a fortnight", "give me a fortnight", "can you give me 2 weeks", "a fortnight today"],
)
def test_two_weeks(text: str) -> None:
    assert read(text) == date(2026, 3, 24)


def test_a_week_on_friday_is_the_friday_after_the_coming_one() -> None:
    assert read("a week on friday") == date(2026, 3, 20)


def test_two_weeks_ago_for_a_payment() -> None:
    assert read("paid two weeks ago", "backward") == date(2026, 2, 24)
    assert read("lo pagué hace dos semanas", "backward") == date(2026, 2, 24)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("I'll pay on 4/5", None, date(2026, 4, 5)),
        ("I'll pay on 4/5", "en-US", date(2026, 4, 5)),
        ("I'll pay on 4/5", "en-GB", date(2026, 5, 4)),
        ("te pago el 4/5", "es-MX", date(2026, 5, 4)),
        ("I'll pay on 15/3", "en-US", date(2026, 3, 15)),
        ("I'll pay on 3/15", "en-GB", date(2026, 3, 15)),
        ("I'll pay on 15/3", "en-GB", date(2026, 3, 15)),
        ("I'll pay on 3/15", "en-US", date(2026, 3, 15)),
    ],
)
def test_day_and_month_by_locale(text: str, locale: str | None, expected: date) -> None:
    """en-GB and es read day/month, en-US month/day; an impossible reading gives way to the other."""
    assert read(text, locale=locale) == expected


def test_locale_rule() -> None:
    assert not day_first(None) and not day_first("en") and not day_first("en_US")
    assert day_first("en-GB") and day_first("es") and day_first("es-ES") and day_first("en-AU")


@pytest.mark.parametrize(
    ("text", "direction", "expected"),
    [
        ("te pago el viernes", "forward", date(2026, 3, 13)),
        ("lo pagué el viernes", "backward", date(2026, 3, 6)),
        ("el 15 de marzo sin falta", "forward", date(2026, 3, 15)),
        ("el día 2 de abril", "forward", date(2026, 4, 2)),
        ("a fin de mes", "forward", date(2026, 3, 31)),
        ("para finales del mes que viene", "forward", date(2026, 4, 30)),
        ("el lunes que viene", "forward", date(2026, 3, 16)),
        ("el jueves de la semana que viene", "forward", date(2026, 3, 19)),
        ("el lunes pasado ya pagué", "forward", date(2026, 3, 9)),
        ("pasado mañana", "forward", date(2026, 3, 12)),
        ("en dos semanas", "forward", date(2026, 3, 24)),
        ("dentro de 3 días", "forward", date(2026, 3, 13)),
        ("el día 20", "forward", date(2026, 3, 20)),
        ("a mediados de mes", "forward", date(2026, 3, 15)),
    ],
)
def test_spanish(text: str, direction: Direction, expected: date) -> None:
    assert read(text, direction) == expected


def test_la_semana_que_viene_alone_names_no_single_day() -> None:
    """Like "next week": a week, not a day; the dialogue asks which day."""
    assert read("la semana que viene") is None
    assert read("sometime next week") is None


def test_a_promise_beyond_a_year_is_no_promise() -> None:
    assert read("I'll pay in 3 years") is None
    assert read("it was paid 3 years ago", "backward") == date(2023, 3, 10)


_WORDS = (
    "pay paid will i on by the this next last after before in of a two weeks fortnight days month end eom "
    "payday monday friday sunday 1st 15th 31st 4/5 15/3 13/13 christmas diwali eid easter el viernes de "
    "marzo fin mes pasado mañana semana que viene 2026 1999 99 tomorrow yesterday today mid ago from now"
).split()


@settings(max_examples=400, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), max_size=8),
    offset=st.integers(min_value=-4000, max_value=4000),
    locale=st.sampled_from([None, "en-US", "en-GB", "es"]),
)
def test_never_raises_and_a_promise_stays_within_a_year(
    words: list[str], offset: int, locale: str | None
) -> None:
    ref = TUESDAY + timedelta(days=offset)
    text = " ".join(words)
    directions: tuple[Direction, ...] = ("forward", "backward", "neutral")
    for direction in directions:
        got = resolve_date(prepare(text), ref, direction, locale=locale)
        if direction == "forward" and got is not None:
            assert abs(got - ref) <= timedelta(days=366), (text, ref, got)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_never_raises_on_any_text(text: str) -> None:
    resolve_date(prepare(text), TUESDAY, "forward", locale="es")


def test_understand_reads_day_and_month_by_the_customers_language() -> None:
    from datetime import datetime

    from arrears.agent import understand

    said = datetime(2026, 3, 10, 11, 0)
    text = "I will pay the full amount on 4/5"
    assert understand(text, said, "sms", fallback=False).date == date(2026, 4, 5)
    assert understand(text, said, "sms", "en-GB", fallback=False).date == date(2026, 5, 4)
    assert understand("le pago el 4/5 sin falta", said, "sms", "es").date == date(2026, 5, 4)


def test_after_the_weekend_is_the_monday() -> None:
    assert read("i get it sorted after the weekend") == date(2026, 3, 16)
    assert read("después del fin de semana te pago") == date(2026, 3, 16)


def test_the_weekday_after_next() -> None:
    assert read("I'll pay the friday after next") == date(2026, 3, 20)
    assert read("monday after next") == date(2026, 3, 23)


def test_jewish_holidays_are_computed_for_any_year() -> None:
    """The arithmetic Hebrew calendar against python-holidays' Israeli calendar, 2000-2039."""
    import holidays

    from arrears.agent.dates.hebrew import JEWISH_HOLIDAYS

    pairs = {"rosh hashanah": "Rosh Hashanah", "yom kippur": "Yom Kippur", "passover": "Pesach"}
    pairs |= {"shavuot": "Shavuot", "hanukkah": "Hanukkah", "sukkot": "Sukkot"}
    for year in range(2000, 2040):
        first: dict[str, date] = {}
        calendar = holidays.country_holidays("IL", years=year, categories=("public", "optional", "school"))
        for day, name in sorted(calendar.items()):
            if day.month > 1:  # early January holds the tail of the previous year's Hanukkah
                first.setdefault(name, day)
        for ours, theirs in pairs.items():
            assert JEWISH_HOLIDAYS[ours](year) == first[theirs], (ours, year)


def test_after_passover_and_chinese_new_year() -> None:
    assert read("right after passover") == date(2026, 4, 3)
    assert read("before rosh hashanah") == date(2026, 9, 11)
    assert read("after chinese new year", "backward") == date(2026, 2, 18)
