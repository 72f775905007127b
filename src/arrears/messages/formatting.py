"""Money, dates and day counts as a customer in a given locale reads them.

Everything here takes a customer's locale string as stored (``en-US``, ``es_MX``, ``""``, garbage) and never
raises on it: a malformed locale falls back to ``en-US`` because a message must still go out correctly
formatted rather than fail on a customer's data. Money is always integer minor units converted with
``Decimal`` so no amount is ever rounded through a float.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision

DEFAULT_LOCALE = "en-US"
_LETTER_DIGIT = re.compile(r"([^\W\d_])(\d)")
_DIGIT_LETTER = re.compile(r"(\d)([^\W\d_])")

DateStyle = Literal["short", "medium", "long", "full"]

#: Day-count wording per language and CLDR plural category; other languages fall back to English.
_DAYS: dict[str, dict[str, str]] = {
    "en": {"one": "{n} day", "other": "{n} days"},
    "es": {"one": "{n} día", "other": "{n} días"},
}


@lru_cache(maxsize=256)
def locale_of(tag: str | None) -> Locale:
    """The Babel locale for a customer's locale tag (``en-US`` or ``en_US``), ``en-US`` when unusable."""
    if tag:
        try:
            return Locale.parse(str(tag).strip().replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            pass
    return Locale.parse(DEFAULT_LOCALE.replace("-", "_"))


def language(tag: str | None) -> str:
    """The language part of a customer's locale (``es`` for ``es-MX``), ``en`` when unusable."""
    return str(locale_of(tag).language)


def amount(minor: int, currency: str) -> Decimal:
    """Integer minor units as an exact decimal amount in the currency's precision (JPY has none)."""
    code = (currency or "").upper()
    return Decimal(int(minor)).scaleb(-get_currency_precision(code))  # unknown codes: CLDR default of 2


def money(minor: int, currency: str, locale: str | None = DEFAULT_LOCALE) -> str:
    """``$1,234.50`` (en-US), ``1.234,50 €`` (es-ES), ``¥1,234`` (JPY): the customer's own notation."""
    code = (currency or "").upper()
    text = str(format_currency(amount(minor, code), code, locale=locale_of(locale), currency_digits=True))
    # CLDR's currency spacing, which Babel leaves out: a symbol of letters ("USD") never touches a digit.
    return _LETTER_DIGIT.sub("\\1\xa0\\2", _DIGIT_LETTER.sub("\\1\xa0\\2", text))


def day(value: date, locale: str | None = DEFAULT_LOCALE, style: DateStyle = "long") -> str:
    """A calendar date as the customer writes it (``March 5, 2026``, ``5 de marzo de 2026``)."""
    return str(format_date(value, format=style, locale=locale_of(locale)))


def days_past_due(n: int, locale: str | None = DEFAULT_LOCALE) -> str:
    """``1 day`` / ``2 days`` / ``1 día`` / ``3 días``: plural chosen by the locale's CLDR rules."""
    parsed = locale_of(locale)
    forms = _DAYS.get(str(parsed.language), _DAYS["en"])
    if str(parsed.language) not in _DAYS:
        parsed = locale_of(DEFAULT_LOCALE)
    category = parsed.plural_form(abs(int(n)))
    return (forms.get(category) or forms["other"]).format(n=int(n))
