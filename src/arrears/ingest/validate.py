"""The import's rules: one raw row (column -> text) becomes an `InvoiceRow`, or every reason it cannot.

Pure and per row, so a bad row never costs the good ones and the same rules hold for CSV and JSON lines.
All field errors of a row are reported together, so one pass over a file finds them all. This is the
thorough path, and the only one that writes error messages; `arrears.ingest.fast` accepts clean rows
quicker and hands every row it is not sure about to `validate_row`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from arrears.core.money import MAX_MINOR, MoneyError, currency_exponent, is_currency, parse_minor
from arrears.ingest.columns import COLUMNS, CONSENT_COLUMNS, REQUIRED
from arrears.ingest.rows import (
    CUSTOMER_FIELDS,
    ConsentValue,
    ContactValue,
    CustomerFacts,
    InvoiceRow,
    RowError,
)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PHONE_NOISE = re.compile(r"[\s\-().]")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
KINDS = frozenset({"person", "business"})
PHONE_KINDS = frozenset({"mobile", "landline", "work"})
_PLAIN_CUSTOMER = (
    "segment",
    "tier",
    "owner",
    "state",
    "city",
    "postal_code",
    "address_line1",
    "address_line2",
)


_LIMITS = {c.name: c.max_length for c in COLUMNS if c.max_length is not None}
_POW10: list[int] = [int(10**n) for n in range(8)]
#: Characters a PostgreSQL text column refuses (NUL) or no encoder can write (lone surrogates, which a
#: JSON line can spell as "\ud800"): a row error naming the field, never a failed batch.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class _Row:
    """Collects errors while reading the fields of one row; values are stripped, blanks dropped."""

    __slots__ = ("errors", "line", "raw", "values")

    def __init__(self, line: int, raw: dict[str, str]) -> None:
        self.line = line
        self.raw = raw
        self.errors: list[RowError] = []
        values: dict[str, str] = {}
        limits = _LIMITS
        for key, value in raw.items():
            if value:
                value = value.strip()
                if value:
                    values[key] = value
                    limit = limits.get(key)
                    if limit is not None and len(value) > limit:
                        self.fail(key, f"longer than {limit} characters")
        self.values = values
        joined = "".join(values.values())
        if "\ufffd" in joined:
            for key, value in values.items():
                if "\ufffd" in value:
                    self.fail(key, "not valid UTF-8")
        if UNSTORABLE.search(joined):
            for key, value in values.items():
                if UNSTORABLE.search(value):
                    self.fail(key, "contains a NUL byte or an unpaired surrogate, which cannot be stored")

    def fail(self, field: str, reason: str) -> None:
        self.errors.append(RowError(self.line, field, reason, self.raw.get("invoice_id") or None))

    def text(self, field: str) -> str | None:
        return self.values.get(field)

    def boolean(self, field: str) -> bool | None:
        value = self.values.get(field)
        if value is None:
            return None
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self.fail(field, f"expected yes/no or true/false, got {value[:20]!r}")
        return None

    def day(self, field: str) -> date | None:
        value = self.values.get(field)
        if value is None:
            return None
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(field, f"expected a date YYYY-MM-DD, got {value[:20]!r}")
        return None

    def instant(self, field: str) -> datetime | None:
        value = self.values.get(field)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(field, f"expected ISO 8601 date-time, got {value[:40]!r}")
            return None
        if len(value) == 10:
            return parsed.replace(tzinfo=UTC)
        if parsed.tzinfo is None:
            self.fail(field, "date-time needs a UTC offset (e.g. 2024-05-01T09:00:00Z)")
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
            self.fail(field, "date-time is out of range")
            return None


def consent_destination(channel: str, by_channel: dict[str, str]) -> str | None:
    """Where a consent on `channel` applies: the row's e-mail, or its WhatsApp number (else phone)."""
    if channel == "email":
        return by_channel.get("email")
    if channel == "whatsapp":
        return by_channel.get("whatsapp") or by_channel.get("phone")
    return by_channel.get("phone")


def plain_minor(text: str, exponent: int) -> int | None:
    """Plain "1234" or "1234.5" within `MAX_MINOR`, without Decimal; anything else (including an amount
    out of bounds) takes the exact general path, which names the error."""
    if not text.isascii() or len(text) > 24:
        return None
    if text.isdigit():
        minor = int(text) * _POW10[exponent]
    else:
        whole, dot, fraction = text.partition(".")
        if not (dot and whole.isdigit() and fraction.isdigit() and len(fraction) <= exponent):
            return None
        minor = int(whole) * _POW10[exponent] + int(fraction) * _POW10[exponent - len(fraction)]
    return minor if minor <= MAX_MINOR else None


@lru_cache(maxsize=4096)
def zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        return False
    return True


def _phone(row: _Row, field: str, country: str | None) -> str | None:
    """E.164 fast path; national numbers go through libphonenumber with the row's country."""
    raw = row.text(field)
    if raw is None:
        return None
    compact = PHONE_NOISE.sub("", raw)
    if E164.match(compact):
        return compact
    if country:
        try:
            parsed = phonenumbers.parse(raw, country)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None and phonenumbers.is_possible_number(parsed):
            return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    row.fail(field, "not a phone number (use E.164 like +15551234567, or give `country`)")
    return None


def _money(row: _Row, field: str, currency: str | None) -> int | None:
    value = row.values.get(field)
    if value is None or currency is None:
        return None
    fast = plain_minor(value, currency_exponent(currency))
    if fast is not None:
        return fast
    try:
        minor = parse_minor(value, currency)
    except MoneyError as exc:
        row.fail(field, str(exc))
        return None
    if minor < 0:
        row.fail(field, f"negative {field} {value!r}")
        return None
    return minor


def _customer(row: _Row) -> dict[str, str]:
    fields: dict[str, str] = {}
    name = row.text("customer_name")
    if name is not None:
        fields["name"] = name
    kind = row.text("customer_kind")
    if kind is not None:
        if kind.lower() in KINDS:
            fields["kind"] = kind.lower()
        else:
            row.fail("customer_kind", f"expected person or business, got {kind[:20]!r}")
    zone = row.text("time_zone")
    if zone is not None:
        if zone_ok(zone):
            fields["time_zone"] = zone
        else:
            row.fail("time_zone", f"unknown IANA time zone {zone[:64]!r}")
    locale = row.text("locale")
    if locale is not None:
        if LOCALE.match(locale):
            fields["locale"] = locale
        else:
            row.fail("locale", f"not a locale tag like en-US: {locale!r}")
    country = row.text("country")
    if country is not None:
        if COUNTRY.match(country):
            fields["country"] = country.upper()
        else:
            row.fail("country", f"expected an ISO 3166 alpha-2 code, got {country[:20]!r}")
    for field in _PLAIN_CUSTOMER:
        value = row.text(field)
        if value is not None:
            fields[field] = value
    return fields


def _contacts(row: _Row, country: str | None) -> tuple[ContactValue, ...]:
    found: list[ContactValue] = []
    email = row.text("email")
    if email is not None:
        if EMAIL.match(email):
            found.append(ContactValue("email", email, "personal"))
        else:
            row.fail("email", "not an email address")
    phone_kind = row.text("phone_kind")
    kind = "unknown"
    if phone_kind is not None:
        if phone_kind.lower() in PHONE_KINDS:
            kind = phone_kind.lower()
        else:
            row.fail("phone_kind", f"expected mobile, landline or work, got {phone_kind[:20]!r}")
    phone = _phone(row, "phone", country)
    if phone is not None:
        found.append(ContactValue("phone", phone, kind))
    whatsapp = _phone(row, "whatsapp", country)
    if whatsapp is not None:
        found.append(ContactValue("whatsapp", whatsapp, "mobile"))
    return tuple(found)


def _consents(row: _Row, contacts: tuple[ContactValue, ...]) -> tuple[ConsentValue, ...]:
    by_channel = {c.channel: c.value for c in contacts}
    source = row.text("consent_source")
    at = row.instant("consent_at")
    found: list[ConsentValue] = []
    for field, channel in CONSENT_COLUMNS.items():
        granted = row.boolean(field)
        if granted is None:
            continue
        destination = consent_destination(channel, by_channel)
        if destination is None:
            row.fail(field, f"{channel} consent given without a valid destination on the row")
            continue
        found.append(ConsentValue(channel, destination, granted, source, at))
    return tuple(found)


def customer_facts(line: int, raw: dict[str, str]) -> CustomerFacts | list[RowError]:
    """The customer, contact and consent columns of a row, checked; the part shared by a customer's rows."""
    row = _Row(line, raw)
    return _facts(row) if not row.errors else row.errors


def _facts(row: _Row) -> CustomerFacts | list[RowError]:
    customer = _customer(row)
    contacts = _contacts(row, customer.get("country"))
    consents = _consents(row, contacts)
    if row.errors:
        return row.errors
    return CustomerFacts(tuple(customer.get(name) for name in CUSTOMER_FIELDS), contacts, consents)


def validate_row(line: int, raw: dict[str, str]) -> InvoiceRow | list[RowError]:
    """Check every documented field of a row; never raises for bad data."""
    row = _Row(line, raw)
    for field in REQUIRED:
        if field not in row.values:
            row.fail(field, "required")
    currency_text = row.text("currency")
    currency: str | None = None
    if currency_text is not None:
        if is_currency(currency_text.upper()):
            currency = currency_text.upper()
        else:
            row.fail("currency", f"unknown currency {currency_text[:8]!r} (expected ISO 4217, e.g. USD)")
    amount = _money(row, "amount", currency)
    balance = _money(row, "balance", currency)
    if amount is not None and balance is not None and balance > amount:
        row.fail("balance", "balance is greater than amount")
    issued_on = row.day("issued_on")
    due_on = row.day("due_on")
    if issued_on is not None and due_on is not None and due_on < issued_on:
        row.fail("due_on", "due date is before the issue date")
    facts = _facts(row)
    agency = row.boolean("agency_placement_allowed")
    strategy = row.text("strategy")
    customer_ext = row.text("customer_id")
    account_ext = row.text("account_id")
    invoice_ext = row.text("invoice_id")
    number = row.text("invoice_number")
    if row.errors:
        return row.errors
    assert isinstance(facts, CustomerFacts)
    assert customer_ext and account_ext and invoice_ext and currency  # guaranteed by REQUIRED
    assert amount is not None and balance is not None and issued_on and due_on
    return InvoiceRow(
        line,
        invoice_ext,
        account_ext,
        customer_ext,
        number or invoice_ext,
        currency,
        amount,
        balance,
        issued_on.isoformat(),
        due_on.isoformat(),
        agency,
        strategy,
        facts,
    )
