"""Candidate time zones for a customer: from the address, from every phone number, from the record.

Every input that yields zones adds them as candidates; the gate then contacts only inside the overlap of
the windows of all candidates. Inputs that say nothing (a toll-free number, an unknown country) add
nothing but are recorded; with no candidate at all the gate refuses (fail closed). Lookups are cached
because phone parsing dominates the cost of a decision otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone

from arrears.compliance.model import Address
from arrears.compliance.phone_types import time_zones_e164
from arrears.compliance.zone_table import US_STATE_ZONES, US_ZIP3_ZONE

_TERRITORIES = ("PR", "VI", "GU", "AS", "MP")
_US_ALL = tuple(sorted({z for s, zs in US_STATE_ZONES.items() if s not in _TERRITORIES for z in zs}))

_GEOGRAPHIC = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_COUNTRY_ALIASES = {"UK": "GB"}


@dataclass(frozen=True, slots=True)
class ZoneFinding:
    """Candidate zones and a human-readable trail of where each came from."""

    zones: tuple[str, ...]  # sorted, unique, each loadable by zoneinfo
    inputs: tuple[str, ...]


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, tuple[str, ...]]:
    """Country -> zones from the IANA zone.tab shipped with tzdata (no hand-kept world table)."""
    table: dict[str, list[str]] = {}
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        table.setdefault(parts[0], []).append(parts[2])
    return {country: tuple(zones) for country, zones in table.items()}


@lru_cache(maxsize=1)
def _canonical_by_content() -> tuple[frozenset[str], dict[bytes, str]]:
    """zone.tab's names, and the same keyed by TZif bytes: a link (Asia/Calcutta) has its target's bytes."""
    root = resources.files("tzdata.zoneinfo")
    names = sorted({z for zones in _country_zones().values() for z in zones})
    table: dict[bytes, str] = {}
    for name in names:
        table.setdefault(root.joinpath(name).read_bytes(), name)
    return frozenset(names), table


@lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    """The zone.tab name for an alias (phonenumbers says Asia/Calcutta, addresses give Asia/Kolkata).

    Identical rules under two names would otherwise count as two candidates: twice the work and a
    confusing decision trail, though never a different answer.
    """
    names, by_content = _canonical_by_content()
    if name in names or zone(name) is None:  # zoneinfo also rejects keys such as "../x"
        return name
    try:
        data = resources.files("tzdata.zoneinfo").joinpath(name).read_bytes()
    except (OSError, ValueError):
        return name
    return by_content.get(data, name)


@lru_cache(maxsize=4096)
def zone(name: str) -> ZoneInfo | None:
    """A ZoneInfo, or None for a name zoneinfo does not know (treated as no information)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def normalise_country(country: str | None) -> str | None:
    if not country:
        return None
    code = country.strip().upper()
    return _COUNTRY_ALIASES.get(code, code)


@lru_cache(maxsize=65536)
def address_zones(address: Address) -> tuple[str, ...]:
    """Zones the address may be in; empty when the address says nothing usable."""
    country = normalise_country(address.country)
    if country is None:
        return ()
    if country == "US" or (country in _TERRITORIES and not address.state):
        state = (address.state or ("" if country == "US" else country)).strip().upper()
        if not state:
            return _US_ALL
        state_zones = US_STATE_ZONES.get(state)
        if state_zones is None:
            return ()
        if len(state_zones) > 1 and address.postal_code:
            single = US_ZIP3_ZONE.get(state, {}).get(address.postal_code.strip()[:3])
            if single is not None:
                return (single,)
        return tuple(sorted(state_zones))
    return tuple(sorted(_country_zones().get(country, ())))


@lru_cache(maxsize=262144)
def phone_zones(number: str) -> tuple[str, ...]:
    """Zones phonenumbers places a geographic or mobile number in; empty for unknown or non-geographic.

    E.164 input goes through `phone_types`, which replays phonenumbers' decisions from precompiled
    metadata (about 10x cheaper on a cache miss, and a planner misses once per customer); anything it
    cannot settle exactly is answered by phonenumbers itself.
    """
    found = time_zones_e164(number)
    if found is None:
        return _phone_zones_reference(number)
    try:
        return _CLEANED[found]
    except KeyError:
        cleaned = _CLEANED[found] = _clean_zones(found)
        return cleaned


_CLEANED: dict[tuple[str, ...], tuple[str, ...]] = {}  # bounded: phonenumbers has a few hundred lists


def _clean_zones(found: tuple[str, ...]) -> tuple[str, ...]:
    """The reference's final step; `phone_zones` keeps each distinct list's answer in `_CLEANED`."""
    return tuple(sorted({canonical(z) for z in found if z != "Etc/Unknown" and zone(z) is not None}))


def _phone_zones_reference(number: str) -> tuple[str, ...]:
    """phonenumbers' own path, uncached: the fallback of `phone_zones` and the oracle of its tests."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ()
    kind = phonenumbers.number_type(parsed)  # the costly part: classify once, not twice
    if kind not in _GEOGRAPHIC:
        return ()
    if parsed.country_code is not None and phonenumbers.is_number_type_geographical(
        kind, parsed.country_code
    ):
        found = phone_timezone.time_zones_for_geographical_number(parsed)
    else:  # rare (a non-geographic mobile): the library's own path, which classifies again
        found = phone_timezone.time_zones_for_number(parsed)
    return tuple(sorted({canonical(z) for z in found if z != "Etc/Unknown" and zone(z) is not None}))


def is_phone(destination: str) -> bool:
    return destination.startswith("+")


@lru_cache(maxsize=262144)
def _find(address: Address, recorded: str | None, numbers: tuple[str, ...]) -> ZoneFinding:
    zones: set[str] = set()
    inputs: list[str] = []
    found = address_zones(address)
    where = "/".join(p for p in (address.country, address.state, address.postal_code) if p) or "none"
    inputs.append(f"address {where}: {', '.join(found) or 'unknown'}")
    zones.update(found)
    for number in numbers:
        from_phone = phone_zones(number)
        inputs.append(f"phone {number}: {', '.join(from_phone) or 'unknown'}")
        zones.update(from_phone)
    if recorded:
        ok = zone(recorded) is not None
        inputs.append(f"recorded: {recorded if ok else recorded + ' (invalid)'}")
        if ok:
            zones.add(canonical(recorded))
    return ZoneFinding(tuple(sorted(zones)), tuple(inputs))


def find_zones(
    address: Address, recorded: str | None, destination: str, phone_numbers: tuple[str, ...]
) -> ZoneFinding:
    """All candidate zones for a contact: address, the destination if a phone, other numbers on file."""
    numbers = phone_numbers
    if is_phone(destination) and destination not in phone_numbers:
        numbers = (destination, *phone_numbers)
    return _find(address, recorded, numbers)
