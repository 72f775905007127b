"""Export notation to canonical values: amounts, dates, country names."""

from __future__ import annotations

import pytest

from arrears.ingest.values import DateFormatError, DateParser, MoneyParser, country_code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,234.50", "1234.50"),
        ("(1,234.50)", "-1234.50"),
        ("$(50.00)", "-50.00"),
        ("-$5.00", "-5.00"),
        ("$-5", "-5"),
        ("1234.50-", "-1234.50"),
        ("USD 1,234.50", "1234.50"),
        ("€ 12", "12"),
        ("1234.5", "1234.5"),
        ("1,234", "1234"),
        ("12,34", None),  # not a thousands group
        ("12abc34", None),  # letters inside a number are a typo, not a symbol
        ("$", None),
        ("abc", None),
    ],
)
def test_us_amounts(text: str, expected: str | None) -> None:
    assert MoneyParser(".", ",").parse(text) == expected


@pytest.mark.parametrize(
    ("decimal", "thousands", "text", "expected"),
    [
        (",", ".", "1.234,50 €", "1234.50"),
        (",", ".", "-1.234,50 €", "-1234.50"),
        (",", ".", "12.345.678,00", "12345678.00"),
        (",", ".", "1,234.50", None),
        (",", " ", "1 234,50", "1234.50"),
        (",", " ", "1\u00a0234,50 kr", "1234.50"),
        (".", "'", "CHF 1'234.50", "1234.50"),
        (".", "", "1,234.50", None),
    ],
)
def test_other_notations(decimal: str, thousands: str, text: str, expected: str | None) -> None:
    assert MoneyParser(decimal, thousands).parse(text) == expected


def test_dates_in_each_format_and_only_real_ones() -> None:
    us = DateParser(["MM/DD/YYYY"])
    assert (us.parse("03/05/2026"), us.parse("3/5/2026")) == ("2026-03-05", "2026-03-05")
    assert us.parse("13/05/2026") is None and us.parse("2026-03-05") is None
    xero = DateParser(["DD/MM/YYYY", "D MMM YYYY"])
    assert [xero.parse(t) for t in ("05/03/2026", "5 Mar 2026", "5 March 2026", "5 Sept 2026")] == [
        "2026-03-05", "2026-03-05", "2026-03-05", "2026-09-05",
    ]  # fmt: skip
    assert xero.parse("31 Feb 2026") is None and xero.parse("5 Foo 2026") is None
    stripe = DateParser(["YYYY-MM-DD HH:mm:ss", "YYYY-MM-DD HH:mm"])
    assert stripe.parse("2026-03-05 14:02") == "2026-03-05"
    assert DateParser(["unix"]).parse("1772700000") == "2026-03-05"
    assert DateParser(["DD.MM.YY"]).parse("05.03.26") == "2026-03-05"
    assert us.reason("x") == "expected a date like MM/DD/YYYY, got 'x'"


def test_a_format_without_year_month_and_day_is_refused() -> None:
    with pytest.raises(DateFormatError, match="needs a year, a month and a day"):
        DateParser(["MM/YYYY"])


def test_country_names_and_codes() -> None:
    assert [country_code(t) for t in ("us", "United Kingdom", "USA", "new zealand", "Narnia")] == [
        "US", "GB", "US", "NZ", None,
    ]  # fmt: skip


def test_a_unix_time_past_year_9999_is_not_a_date() -> None:
    assert DateParser(["unix"]).parse("9999999999999") is None
    assert DateParser(["unix"]).parse("1700000000") == "2023-11-14"
