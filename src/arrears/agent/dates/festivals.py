"""Lunar and lunisolar festivals from a fixed table: Diwali, Eid al-Fitr, Eid al-Adha, Chinese New Year.

Their dates follow a moon sighting or a lunisolar calendar, so they are looked up, not computed. Source:
python-holidays 0.109 (vacanza/holidays, MIT): ``holidays.India`` for Diwali (Lakshmi Puja) and
``holidays.Turkey`` (the Diyanet's computed calendar) for the first day of each Eid, ``holidays.China``
for the Spring Festival. (Jewish holidays are computed: hebrew.py.) Local observance can
differ by a day. Outside 2025-2030 a festival names no day (None): the resolver does not guess.
"""

from __future__ import annotations

from datetime import date

FESTIVALS: dict[str, tuple[date, ...]] = {
    "diwali": (
        date(2025, 10, 20),
        date(2026, 11, 8),
        date(2027, 10, 29),
        date(2028, 10, 17),
        date(2029, 11, 5),
        date(2030, 10, 26),
    ),
    "eid al fitr": (
        date(2025, 3, 30),
        date(2026, 3, 20),
        date(2027, 3, 9),
        date(2028, 2, 26),
        date(2029, 2, 14),
        date(2030, 2, 4),
    ),
    "chinese new year": (
        date(2025, 1, 29),
        date(2026, 2, 17),
        date(2027, 2, 6),
        date(2028, 1, 26),
        date(2029, 2, 13),
        date(2030, 2, 3),
    ),
    "eid al adha": (
        date(2025, 6, 6),
        date(2026, 5, 27),
        date(2027, 5, 16),
        date(2028, 5, 5),
        date(2029, 4, 24),
        date(2030, 4, 13),
    ),
}
ALIASES = {
    "diwali": ("diwali",),
    "deepavali": ("diwali",),
    "divali": ("diwali",),
    "eid": ("eid al fitr", "eid al adha"),
    "eid al fitr": ("eid al fitr",),
    "eid ul fitr": ("eid al fitr",),
    "eid el fitr": ("eid al fitr",),
    "eid al adha": ("eid al adha",),
    "eid ul adha": ("eid al adha",),
    "eid el adha": ("eid al adha",),
    "bakrid": ("eid al adha",),
    "bakri eid": ("eid al adha",),
    "chinese new year": ("chinese new year",),
    "lunar new year": ("chinese new year",),
    "spring festival": ("chinese new year",),
}
"""Spoken names -> table keys ("Eid" alone is whichever Eid comes first in the direction asked)."""


def festival(name: str, ref: date, backward: bool) -> date | None:
    """The festival's nearest day on or after ``ref`` (before it when ``backward``); None outside the
    table."""
    days = sorted(d for key in ALIASES[name] for d in FESTIVALS[key])
    if backward:
        past = [d for d in days if d < ref]
        return past[-1] if past else None
    ahead = [d for d in days if d >= ref]
    return ahead[0] if ahead else None
