"""Money is exact: minor units per ISO 4217 exponent, no silent rounding, no mixing currencies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.core.money import MAX_MINOR, Money, MoneyError, currency_change, format_minor, parse_minor


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("123.45", "USD", 12345),
        ("1,234.50", "EUR", 123450),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
        ("0", "GBP", 0),
        ("-5.10", "USD", -510),
    ],
)
def test_parse_exact_amounts(text: str, currency: str, minor: int) -> None:
    assert parse_minor(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("1.005", "USD", "more than 2 decimals"),
        ("12.5", "JPY", "more than 0 decimals"),
        ("abc", "USD", "not a decimal"),
        ("1e3", "USD", "not a decimal"),
        ("10", "XYZ", "unknown currency"),
        ("1,23.00", "USD", "not a decimal"),
    ],
)
def test_refuses_what_cannot_be_exact(text: str, currency: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_minor(text, currency)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["USD", "JPY", "KWD", "INR"]))
def test_format_and_parse_round_trip(minor: int, currency: str) -> None:
    assert parse_minor(format_minor(minor, currency), currency) == minor


def test_no_mixing_currencies() -> None:
    assert Money(100, "USD") + Money(250, "USD") == Money(350, "USD")
    with pytest.raises(MoneyError, match="cannot combine USD with EUR"):
        _ = Money(100, "USD") + Money(1, "EUR")


@pytest.mark.parametrize(
    ("currency", "top"),
    [
        ("USD", "10000000000000.00"),
        ("JPY", "1000000000000000"),
        ("BHD", "1000000000000.000"),
        ("CLF", "100000000000.0000"),
    ],
)
def test_amounts_are_bounded_at_max_minor_in_every_exponent(currency: str, top: str) -> None:
    assert parse_minor(top, currency) == MAX_MINOR < 2**63 // 1000
    assert parse_minor(f"-{top}", currency) == -MAX_MINOR
    for beyond in ("1" + top, "9" * 30, "92233720368547758.08", "1" * 5000):
        with pytest.raises(MoneyError, match="maximum"):
            parse_minor(beyond, currency)


def test_negative_amounts_can_be_refused_where_they_mean_nothing() -> None:
    with pytest.raises(MoneyError, match="negative"):
        parse_minor("-1.00", "USD", negative=False)
    assert parse_minor("0", "USD", negative=False) == 0


def test_a_stored_currency_never_changes() -> None:
    assert currency_change("EUR", "EUR") is None
    assert currency_change("EUR", "USD") == "invoice is in EUR; its currency cannot change"
