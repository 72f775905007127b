"""Money, dates and day counts read as the customer's own locale writes them, exactly and without failing."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.messages.formatting import amount, day, days_past_due, language, money


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (123_450, "USD", "en-US", "$1,234.50"),
        (123_450, "GBP", "en-GB", "£1,234.50"),
        (123_450, "EUR", "es-ES", "1.234,50\xa0€"),
        (123_450, "MXN", "es-MX", "$1,234.50"),
        (123_450, "USD", "es-MX", "USD\xa01,234.50"),
        (1_234, "JPY", "en-US", "¥1,234"),  # no minor unit: 1234 yen, not 12.34
        (5, "USD", "en_US", "$0.05"),  # POSIX spelling of the locale
        (-500, "USD", "en-US", "-$5.00"),
    ],
)
def test_money_in_the_customers_notation(minor: int, currency: str, locale: str, expected: str) -> None:
    assert money(minor, currency, locale) == expected


def test_money_is_exact_for_amounts_a_float_would_round() -> None:
    minor = 2**53 + 1  # not representable as a float
    assert amount(minor, "USD") * 100 == minor
    assert money(minor, "USD", "en-US") == "$90,071,992,547,409.93"


@pytest.mark.parametrize("locale", [None, "", "xx", "not a locale!", "en-ZZ-@@", "123"])
def test_an_unusable_locale_falls_back_to_us_english(locale: str | None) -> None:
    assert money(123_450, "USD", locale) == "$1,234.50"
    assert day(date(2026, 3, 5), locale) == "March 5, 2026"
    assert language(locale) == "en"


@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("en-US", "long", "March 5, 2026"),
        ("en-GB", "long", "5 March 2026"),
        ("es-ES", "long", "5 de marzo de 2026"),
        ("es-MX", "long", "5 de marzo de 2026"),
        ("en-US", "medium", "Mar 5, 2026"),
        ("en-GB", "medium", "5 Mar 2026"),
    ],
)
def test_dates_in_the_customers_order_and_words(locale: str, style: str, expected: str) -> None:
    assert day(date(2026, 3, 5), locale, style) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "locale", "expected"),
    [
        (1, "en-US", "1 day"),
        (2, "en-US", "2 days"),
        (0, "en-GB", "0 days"),
        (1, "es-ES", "1 día"),
        (3, "es-MX", "3 días"),
        (21, "fr-FR", "21 days"),  # a language without its own wording reads English
    ],
)
def test_days_past_due_agree_in_number(n: int, locale: str, expected: str) -> None:
    assert days_past_due(n, locale) == expected
