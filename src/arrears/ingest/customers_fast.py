"""The customer, contact and consent columns of a row, checked the quick way, or None when in doubt.

A file has one set of these columns per customer (or per customer and consent answer), so they are
checked once per distinct tuple (see `arrears.ingest.fast`); still, with one customer per four invoices
that is a quarter of the rows, and the thorough `customer_facts` costs about 30 microseconds. This
accepts the common shapes directly (E.164 phones, plain values within their lengths, consent without a
time) and returns None for anything else, which then goes to `customer_facts`: the thorough path stays
the only judge of a doubtful value and the only writer of error messages.
"""

from __future__ import annotations

from arrears.ingest.columns import BY_NAME, CONSENT_COLUMNS
from arrears.ingest.rows import ConsentValue, ContactValue
from arrears.ingest.validate import (
    COUNTRY,
    E164,
    EMAIL,
    KINDS,
    LOCALE,
    PHONE_KINDS,
    PHONE_NOISE,
    consent_destination,
    zone_ok,
)

_PLAIN = ("segment", "tier", "owner")
_PLACE = ("state", "city", "postal_code", "address_line1", "address_line2")
_BOOLEANS = {"true": True, "yes": True, "y": True, "1": True}
_BOOLEANS.update({"false": False, "no": False, "n": False, "0": False})
_LIMITS = {c.name: c.max_length for c in BY_NAME.values() if c.max_length is not None}


class _Doubt(Exception):
    """Raised inside `quick_customer_facts` when the thorough path must decide."""


Base = tuple[tuple[str | None, ...], tuple[ContactValue, ...]]


def quick_base(raw: dict[str, str]) -> Base | None:
    """The customer fields and contact points, or None when in doubt."""
    try:
        return _base(raw)
    except _Doubt:
        return None


def quick_consents(
    raw: dict[str, str], contacts: tuple[ContactValue, ...]
) -> tuple[ConsentValue, ...] | None:
    """The consent answers, given the row's contact points, or None when in doubt."""
    try:
        return _consents(raw, contacts)
    except _Doubt:
        return None


def _text(raw: dict[str, str], name: str) -> str | None:
    value = raw.get(name)
    if not value:
        return None
    value = value.strip()
    if not value:
        return None
    limit = _LIMITS.get(name)
    if limit is not None and len(value) > limit:
        raise _Doubt
    return value


def _base(raw: dict[str, str]) -> Base:
    name = _text(raw, "customer_name")
    kind = _text(raw, "customer_kind")
    if kind is not None:
        kind = kind.lower()
        if kind not in KINDS:
            raise _Doubt
    zone = _text(raw, "time_zone")
    if zone is not None and not zone_ok(zone):
        raise _Doubt
    locale = _text(raw, "locale")
    if locale is not None and not LOCALE.match(locale):
        raise _Doubt
    country = _text(raw, "country")
    if country is not None:
        if not COUNTRY.match(country):
            raise _Doubt
        country = country.upper()
    segment, tier, owner = (_text(raw, field) for field in _PLAIN)
    state, city, postal_code, line1, line2 = (_text(raw, field) for field in _PLACE)
    fields = (kind, name, zone, locale, segment, tier, owner, country, state, city, postal_code, line1, line2)
    return fields, _contacts(raw)


def _phone(raw: dict[str, str], field: str) -> str | None:
    value = _text(raw, field)
    if value is None:
        return None
    compact = PHONE_NOISE.sub("", value)
    if not E164.match(compact):
        raise _Doubt  # maybe a national number: libphonenumber, in the thorough path
    return compact


def _contacts(raw: dict[str, str]) -> tuple[ContactValue, ...]:
    found: list[ContactValue] = []
    email = _text(raw, "email")
    if email is not None:
        if not EMAIL.match(email):
            raise _Doubt
        found.append(ContactValue("email", email, "personal"))
    phone_kind = _text(raw, "phone_kind")
    kind = "unknown"
    if phone_kind is not None:
        kind = phone_kind.lower()
        if kind not in PHONE_KINDS:
            raise _Doubt
    phone = _phone(raw, "phone")
    if phone is not None:
        found.append(ContactValue("phone", phone, kind))
    whatsapp = _phone(raw, "whatsapp")
    if whatsapp is not None:
        found.append(ContactValue("whatsapp", whatsapp, "mobile"))
    return tuple(found)


def _consents(raw: dict[str, str], contacts: tuple[ContactValue, ...]) -> tuple[ConsentValue, ...]:
    if _text(raw, "consent_at") is not None:
        raise _Doubt  # a time to parse and check: the thorough path
    by_channel = {c.channel: c.value for c in contacts}
    source = _text(raw, "consent_source")
    found: list[ConsentValue] = []
    for field, channel in CONSENT_COLUMNS.items():
        answer = _text(raw, field)
        if answer is None:
            continue
        granted = _BOOLEANS.get(answer.lower())
        if granted is None:
            raise _Doubt
        destination = consent_destination(channel, by_channel)
        if destination is None:
            raise _Doubt
        found.append(ConsentValue(channel, destination, granted, source, None))
    return tuple(found)
