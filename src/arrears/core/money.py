"""Money as integer minor units plus an ISO 4217 code; never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 active codes and their minor-unit exponents (ISO 4217 list one, 2024).
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD "
        "CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD "
        "GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
        "MDL MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR "
        "PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
        "TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWL".split(),
        2,
    ),
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    "CLF": 4,
    "UYW": 4,
}

_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


#: The largest amount accepted from outside, in minor units of any currency: 10**15 (ten trillion
#: dollars) leaves a thousandfold room under a signed 64-bit column for sums of many balances, so no
#: total the store or the metrics compute can overflow, and no single row can sink a batch.
MAX_MINOR = 10**15


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


def check_minor(minor: int, currency: str, *, negative: bool = False) -> int:
    """`minor` if within the documented bounds; the one rule every entrance applies to outside amounts."""
    if abs(minor) > MAX_MINOR:
        limit = format_minor(MAX_MINOR, currency)
        raise MoneyError(f"amount exceeds the maximum of {limit} {currency} ({MAX_MINOR} minor units)")
    if minor < 0 and not negative:
        raise MoneyError("amount must not be negative")
    return minor


def currency_change(stored: str, sent: str) -> str | None:
    """Why a stored invoice cannot take `sent` as its currency, or None: amounts in another currency
    would silently mean something else, so every path (events, import) refuses with these words."""
    if stored == sent:
        return None
    return f"invoice is in {stored}; its currency cannot change"


def currency_exponent(code: str) -> int:
    try:
        return _EXPONENTS[code]
    except KeyError:
        raise MoneyError(f"unknown currency {code!r} (expected an ISO 4217 code such as USD)") from None


def is_currency(code: str) -> bool:
    return code in _EXPONENTS


def currencies() -> list[str]:
    """Every ISO 4217 code accepted, sorted: the OpenAPI document lists them, the fuzzers try each."""
    return sorted(_EXPONENTS)


def parse_minor(amount: str, currency: str, *, negative: bool = True) -> int:
    """Parse a decimal string ("123.45") into minor units, refusing anything that would lose precision
    or lie outside +-`MAX_MINOR` (and, with `negative=False`, anything below zero)."""
    exponent = currency_exponent(currency)
    text = amount.strip()
    if len(text) > 64:  # before any conversion: a megabyte of digits costs time and proves nothing
        limit = format_minor(MAX_MINOR, currency)
        raise MoneyError(f"amount is {len(text)} characters long; the maximum is {limit} {currency}")
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _AMOUNT.match(text):
        raise MoneyError(f"amount {amount!r} is not a decimal number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"amount {amount!r} is not a decimal number") from None
    scaled = value.scaleb(exponent)
    if abs(scaled) > MAX_MINOR:  # the bound first: it is what a sender of such an amount needs to know
        check_minor(int(scaled), currency)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"amount {amount!r} has more than {exponent} decimals for {currency}")
    return check_minor(int(scaled), currency, negative=negative)


def format_minor(minor: int, currency: str) -> str:
    """Minor units back to a plain decimal string ("123.45")."""
    exponent = currency_exponent(currency)
    if exponent == 0:
        return str(minor)
    value = Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent), ROUND_HALF_EVEN)
    return f"{value:f}"


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        currency_exponent(self.currency)

    @classmethod
    def parse(cls, amount: str, currency: str) -> Money:
        return cls(parse_minor(amount, currency), currency)

    def __str__(self) -> str:
        return f"{format_minor(self.minor, self.currency)} {self.currency}"

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)
