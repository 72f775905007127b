"""A customer's postal address as an envelope window shows it, laid out the way its country writes it."""

from __future__ import annotations

from dataclasses import dataclass

from arrears.messages.formatting import locale_of

#: Countries that write "City, ST 12345" on one line.
_CITY_STATE_ZIP = {"US", "CA", "AU", "PR"}
#: Countries that write the city, then the postcode on its own line.
_CITY_THEN_POSTCODE = {"GB", "IE"}
#: Countries whose postal addresses carry the state or province (elsewhere it is left off).
_WITH_STATE = {"MX", "BR", "IN", "IT", "ES", "AR", "CO"}


@dataclass(frozen=True, slots=True)
class PostalAddress:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2

    @property
    def has_street(self) -> bool:
        return bool((self.line1 or "").strip())


def country_name(code: str | None, locale: str | None) -> str:
    """The country's name in the reader's language ("United States", "España"); the code when unknown."""
    if not code:
        return ""
    territories = locale_of(locale).territories
    return str(territories.get(code.upper(), code.upper()))


def locality_lines(address: PostalAddress) -> list[str]:
    """City, state and postal code in the order the address's country writes them."""
    city, state, code = (x.strip() if x else "" for x in (address.city, address.state, address.postal_code))
    country = (address.country or "").upper()
    if country in _CITY_STATE_ZIP:
        place = ", ".join(p for p in (city, " ".join(p for p in (state, code) if p)) if p)
        return [place] if place else []
    if country in _CITY_THEN_POSTCODE:
        return [p for p in (city, state, code.upper()) if p]
    first = " ".join(p for p in (code, city) if p)
    return [p for p in (first, state if country in _WITH_STATE else "") if p]


def address_block(
    addressee: list[str], address: PostalAddress, locale: str | None, *, home_country: str | None = None
) -> list[str]:
    """The whole block: addressee lines, street lines, locality, and the country unless it is the sender's."""
    lines = [line for line in addressee if line]
    lines += [x.strip() for x in (address.line1, address.line2) if x and x.strip()]
    lines += locality_lines(address)
    if address.country and address.country.upper() != (home_country or "").upper():
        lines.append(country_name(address.country, locale).upper())
    return lines
