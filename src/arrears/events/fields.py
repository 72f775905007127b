"""Field types shared by the event schemas, each refusing bad input with a message a sender can act on.

Amounts travel as decimal strings ("1234.50"), never floats, so no cent is lost between the source system
and the integer minor units stored here; the exact conversion needs the currency and happens in the event.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

from arrears.core.clock import ensure_utc
from arrears.core.money import MoneyError, is_currency, parse_minor

_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
#: What no store column can hold: NUL (PostgreSQL text and jsonb refuse it) and lone surrogates (no
#: encoder writes them; JSON can spell them "\ud800"). The import refuses the same (`ingest.validate`).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _amount_text(value: Any) -> Any:
    """Accept integers as a convenience; refuse floats, which cannot carry an exact amount."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError('amounts are decimal strings such as "12.50", not JSON numbers with a fraction')
    return value


def _non_negative_decimal(value: str) -> str:
    text = value.strip()
    if text.startswith("-"):
        raise ValueError("must not be negative")
    if not _DECIMAL.match(text):
        raise ValueError(f"{value!r} is not a decimal number")
    return text


def storable(value: Any) -> Any:
    """Refuse, with the field named by pydantic, a text the store would refuse with a server error."""
    if isinstance(value, str) and UNSTORABLE.search(value):
        raise ValueError("contains a NUL byte or an unpaired surrogate, which cannot be stored")
    return value


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not is_currency(code):
        raise ValueError(f"unknown currency {value!r} (expected an ISO 4217 code such as USD)")
    return code


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        raise ValueError(
            f"unknown time zone {value!r} (expected an IANA name such as Europe/Paris)"
        ) from None
    return value


def _email(value: str) -> str:
    text = value.strip()
    if not _EMAIL.match(text):
        raise ValueError("is not an email address")
    return text  # kept as sent, like the import, so both paths name the same contact point


def _utc(value: datetime) -> datetime:
    try:
        return ensure_utc(value)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC: a 422, not a 500
        raise ValueError("date-time is out of range") from None


def to_minor(amount: str, currency: str) -> int:
    """The exact minor units of a validated amount; raises ValueError (for a field validator) if inexact."""
    try:
        return parse_minor(amount, currency)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


def e164(phone: str, country: str | None) -> str:
    """Normalise a phone number to E.164 so the same number sent twice is one contact point."""
    try:
        parsed = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number (use E.164 such as +14155550100)") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


Amount = Annotated[str, BeforeValidator(_amount_text), AfterValidator(_non_negative_decimal)]
Currency = Annotated[str, AfterValidator(_currency)]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
Email = Annotated[str, Field(max_length=320), AfterValidator(_email)]
UtcTimestamp = Annotated[AwareDatetime, AfterValidator(_utc)]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
SourceSystem = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Country = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")]
