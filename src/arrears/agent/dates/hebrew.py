"""Jewish holidays, computed: the arithmetic Hebrew calendar (Dershowitz & Reingold, Calendrical
Calculations, ch. 8), so "after Passover" or "before Rosh Hashanah" name a day in any year, offline.

Each function takes a Gregorian year and returns the holiday's first day in it (the day after its eve).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

_EPOCH = -1373427  # R.D. of 1 Tishrei AM 1 (7 October 3761 BCE, Julian); date.toordinal counts in R.D.


def _elapsed(year: int) -> int:
    months = (235 * year - 234) // 19
    parts = 12084 + 13753 * months
    days = 29 * months + parts // 25920
    return days + 1 if (3 * (days + 1)) % 7 < 3 else days


def _new_year(year: int) -> int:
    """R.D. of 1 Tishrei of Hebrew ``year`` (with the postponements that keep year lengths legal)."""
    ny0, ny1, ny2 = _elapsed(year - 1), _elapsed(year), _elapsed(year + 1)
    correction = 2 if ny2 - ny1 == 356 else 1 if ny1 - ny0 == 382 else 0
    return _EPOCH + ny1 + correction


def rosh_hashanah(year: int) -> date:
    return date.fromordinal(_new_year(year + 3761))


def passover(year: int) -> date:
    """15 Nisan: 163 days before the next Rosh Hashanah (Nisan to Elul have fixed lengths)."""
    return rosh_hashanah(year) - timedelta(days=163)


def hanukkah(year: int) -> date:
    """25 Kislev of the Hebrew year that starts in the autumn of ``year`` (Heshvan is 30 days in a
    complete year)."""
    length = _new_year(year + 3762) - _new_year(year + 3761)
    return rosh_hashanah(year) + timedelta(days=84 if length in (355, 385) else 83)


def _after(base: Callable[[int], date], days: int) -> Callable[[int], date]:
    return lambda year: base(year) + timedelta(days=days)


JEWISH_HOLIDAYS: dict[str, Callable[[int], date]] = {
    "rosh hashanah": rosh_hashanah,
    "rosh hashana": rosh_hashanah,
    "yom kippur": _after(rosh_hashanah, 9),
    "sukkot": _after(rosh_hashanah, 14),
    "succot": _after(rosh_hashanah, 14),
    "shemini atzeret": _after(rosh_hashanah, 21),
    "simchat torah": _after(rosh_hashanah, 22),
    "hanukkah": hanukkah,
    "chanukah": hanukkah,
    "hanukah": hanukkah,
    "passover": passover,
    "pesach": passover,
    "purim": _after(passover, -30),
    "lag baomer": _after(passover, 33),
    "shavuot": _after(passover, 50),
    "tisha bav": _after(rosh_hashanah, -51),
}
