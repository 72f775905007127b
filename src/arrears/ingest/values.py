"""Values as exports write them, made canonical: dates in the export's format(s) to `YYYY-MM-DD`, amounts
such as "$1,234.50", "(1,234.50)" or "1.234,50 €" to "1234.50" / "-1234.50", and country names to codes.

These only translate notation; whether a value is acceptable (negative, too many decimals, a date that
does not exist) stays for the import's one rule set in `arrears.ingest.validate`. A value that cannot be
read at all gets a reason that names the expected shape and the value as written.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

_TOKENS = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DD|D|HH|H|hh|h|mm|ss|A|a")
_PATTERN = {
    "YYYY": r"(?P<y>\d{4})",
    "YY": r"(?P<yy>\d{2})",
    "MMMM": r"(?P<mon>[^\W\d_]{3,}\.?)",
    "MMM": r"(?P<mon>[^\W\d_]{3,}\.?)",
    "MM": r"(?P<m>\d{1,2})",
    "M": r"(?P<m>\d{1,2})",
    "DD": r"(?P<d>\d{1,2})",
    "D": r"(?P<d>\d{1,2})",
    "A": r"(?:AM|PM|am|pm)",
    "a": r"(?:AM|PM|am|pm)",
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_UNIX = ("unix", "unix_ms")
_CACHE_LIMIT = 4_096


class DateFormatError(ValueError):
    """A date format the mapping cannot use."""


def _compile(fmt: str) -> re.Pattern[str]:
    if fmt in _UNIX:
        return re.compile(r"(?P<unix>\d{1,13})")
    out, at, seen = [], 0, set()
    for token in _TOKENS.finditer(fmt):
        out.append(re.escape(fmt[at : token.start()]))
        group = _PATTERN.get(token.group(), r"\d{1,2}")  # hours, minutes, seconds: read, not kept
        name = re.search(r"\?P<(\w+)>", group)
        if name is not None:
            if name.group(1) in seen:
                raise DateFormatError(f"date format {fmt!r} names a part twice")
            seen.add(name.group(1))
        out.append(group)
        at = token.end()
    out.append(re.escape(fmt[at:]))
    parts = {"y", "yy"} & seen, {"m", "mon"} & seen, {"d"} & seen
    if not all(parts):
        raise DateFormatError(
            f"date format {fmt!r} needs a year, a month and a day (like MM/DD/YYYY, D MMM YYYY, unix)"
        )
    return re.compile("".join(out).replace(r"\ ", r"\s+"))


class DateParser:
    """`parse(text)` -> ISO date text, or None; tries each format in order (the first that reads wins)."""

    def __init__(self, formats: list[str]) -> None:
        self.formats = list(formats)
        self._patterns = [(fmt, _compile(fmt)) for fmt in formats]
        self._cache: dict[str, str | None] = {}

    def parse(self, text: str) -> str | None:
        known = self._cache.get(text, "")
        if known != "":
            return known
        found = None
        for fmt, pattern in self._patterns:
            match = pattern.fullmatch(text)
            if match is not None:
                found = _date(fmt, match.groupdict())
                if found is not None:
                    break
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = found
        return found

    def reason(self, text: str) -> str:
        shapes = " or ".join(self.formats)
        return f"expected a date like {shapes}, got {text[:40]!r}"


def _date(fmt: str, parts: dict[str, str | None]) -> str | None:
    if fmt in _UNIX:
        seconds = int(parts["unix"] or 0) / (1000 if fmt == "unix_ms" else 1)
        try:
            return datetime.fromtimestamp(seconds, UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):  # past year 9999: a row error, not a traceback
            return None
    full = parts.get("y")
    year = int(full) if full else 2000 + int(parts.get("yy") or 0)
    month_name = parts.get("mon")
    month = _MONTHS.get(month_name.rstrip(".").lower(), 0) if month_name else int(parts["m"] or 0)
    try:
        return date(year, month, int(parts["d"] or 0)).isoformat()
    except ValueError:
        return None


#: A currency symbol or code before or after the number: "$", "US$", "USD", "€", "kr".
_AFFIX = r"[^\d\s().,'+\-]*"
_SPACES = "\u00a0\u202f"
_SHAPE = re.compile(rf"\s*([+-]?)\s*({_AFFIX})\s*([+-]?)\s*(.*?)\s*(-?)\s*({_AFFIX})\s*")


class MoneyParser:
    """`parse(text)` -> a plain decimal ("-1234.50"), or None when the text is not an amount."""

    def __init__(self, decimal: str = ".", thousands: str = ",") -> None:
        self.decimal, self.thousands = decimal, thousands
        group = re.escape(thousands) if thousands.strip() else f"[ {_SPACES}]"
        grouped = rf"\d{{1,3}}(?:{group}\d{{3}})+|" if thousands else ""
        self._number = re.compile(rf"({grouped}\d+)(?:{re.escape(decimal)}(\d+))?")

    def parse(self, text: str) -> str | None:
        value = text.strip()
        negative = value.startswith("(") and value.endswith(")")
        if negative:
            value = value[1:-1]
        shape = _SHAPE.fullmatch(value.translate(_NBSP) if self.thousands.strip() else value)
        if shape is None:
            return None
        before, _prefix, sign, core, trailing, _suffix = shape.groups()
        if "-" in (before, sign) or trailing:
            negative = not negative
        if core.startswith("(") and core.endswith(")"):  # "$(50.00)"
            negative, core = not negative, core[1:-1].strip()
        match = self._number.fullmatch(core)
        if match is None:
            return None
        whole = re.sub(r"\D", "", match.group(1))
        plain = f"{whole}.{match.group(2)}" if match.group(2) else whole
        return f"-{plain}" if negative else plain

    def reason(self, text: str) -> str:
        example = f"1{self.thousands}234{self.decimal}50"
        return f"expected an amount like {example}, got {text[:40]!r}"


_NBSP = str.maketrans({"\u00a0": " ", "\u202f": " "})


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """English country names (and common short forms) -> ISO 3166 alpha-2, from Babel's CLDR data."""
    from babel import Locale

    names = {
        str(name).lower(): code
        for code, name in Locale("en").territories.items()
        if len(code) == 2 and code.isalpha()
    }
    names.update({"usa": "US", "u.s.a.": "US", "u.s.": "US", "uk": "GB", "great britain": "GB"})
    names.update({"england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB"})
    return names


def country_code(text: str) -> str | None:
    """`US`, `us`, `United States`, `USA` -> `US`; None when the text is not a known country."""
    value = text.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return _country_names().get(value.lower())
