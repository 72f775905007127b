"""Local-time windows as exact UTC intervals: the overlap over every candidate zone.

A day's window in one zone is [open, close) of local wall time, minus holidays, blocked weekdays and the
times the customer called inconvenient. Converting those bounds to UTC per local date, then intersecting
across zones, gives the set of instants at which contact is allowed; the earliest permitted instant is
then just the start of the first interval that ends after the asked time, so a defer is exact to the
microsecond. Daylight-saving gaps resolve to the transition instant (the first instant whose wall time
is at or after the bound). Per-day results are cached, which keeps the hot path to a lookup and a scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays as holidays_lib

from arrears.compliance.zones import zone

DAY = 86400
Interval = tuple[datetime, datetime]
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Designated:
    """A customer-designated inconvenient time in seconds of local day; end <= start wraps midnight."""

    start: int
    end: int
    weekdays: frozenset[int]  # empty: every day


@dataclass(frozen=True, slots=True)
class WindowSpec:
    open: int
    close: int
    blocked_weekdays: frozenset[int] = frozenset()
    holiday_calendars: tuple[tuple[str, str | None], ...] = ()
    designated: tuple[Designated, ...] = ()


@lru_cache(maxsize=1024)
def holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays of a country (and subdivision, when the package knows it) for one year."""
    try:
        found = holidays_lib.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        return frozenset()
    except (KeyError, ValueError):
        found = holidays_lib.country_holidays(country, years=year)
    return frozenset(found.keys())


def local_date(instant: datetime, zone_name: str) -> date:
    tz = zone(zone_name)
    assert tz is not None
    return instant.astimezone(tz).date()


@lru_cache(maxsize=131072)
def first_instant(day: date, seconds: int, zone_name: str) -> datetime:
    """The earliest UTC instant whose local wall time on `day` is at or after `seconds` past midnight."""
    if seconds >= DAY:
        return first_instant(day + _ONE_DAY, seconds - DAY, zone_name)
    tz = zone(zone_name)
    assert tz is not None
    naive = datetime.combine(day, time()) + timedelta(seconds=seconds)
    later = naive.replace(tzinfo=tz).astimezone(UTC)
    if later.astimezone(tz).replace(tzinfo=None) == naive:
        return later  # the wall time exists; fold=0 is its first occurrence
    # In a gap the wall time is skipped: the answer is the transition, between the fold=1 and fold=0 readings.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = later
    while (hi - lo) > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)  # transitions fall on whole seconds


def midnight(day: date, zone_name: str) -> datetime:
    """The first instant of a local calendar day, in UTC."""
    return first_instant(day, 0, zone_name)


def _subtract(segments: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in segments:
        if cut[1] <= a or cut[0] >= b:
            out.append((a, b))
            continue
        if a < cut[0]:
            out.append((a, cut[0]))
        if cut[1] < b:
            out.append((cut[1], b))
    return out


def local_segments(
    spec: WindowSpec, day: date, country_subdiv_dates: frozenset[date]
) -> list[tuple[int, int]]:
    """Allowed [start, end) seconds of one local day, before conversion to instants."""
    if spec.open >= spec.close or day.weekday() in spec.blocked_weekdays or day in country_subdiv_dates:
        return []
    segments = [(spec.open, spec.close)]
    yesterday = (day.weekday() - 1) % 7
    for d in spec.designated:
        if d.start < d.end:
            if not d.weekdays or day.weekday() in d.weekdays:
                segments = _subtract(segments, (d.start, d.end))
            continue
        if not d.weekdays or day.weekday() in d.weekdays:
            segments = _subtract(segments, (d.start, DAY))
        if not d.weekdays or yesterday in d.weekdays:
            segments = _subtract(segments, (0, d.end))
    return segments


def _holidays_on(spec: WindowSpec, day: date) -> frozenset[date]:
    found: frozenset[date] = frozenset()
    for country, subdivision in spec.holiday_calendars:
        found = found | holiday_dates(country, subdivision, day.year)
    return found


@lru_cache(maxsize=131072)
def zone_day(spec: WindowSpec, zone_name: str, day: date) -> tuple[Interval, ...]:
    """The allowed UTC intervals of one local day in one zone."""
    segments = local_segments(spec, day, _holidays_on(spec, day))
    out = []
    for a, b in segments:
        start, end = first_instant(day, a, zone_name), first_instant(day, b, zone_name)
        if start < end:
            out.append((start, end))
    return tuple(out)


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@lru_cache(maxsize=65536)
def utc_day(spec: WindowSpec, zones: tuple[str, ...], day: date) -> tuple[Interval, ...]:
    """Allowed instants within one UTC calendar day, over every candidate zone (their overlap)."""
    lo = datetime.combine(day, time(), tzinfo=UTC)
    hi = lo + _ONE_DAY
    common: list[Interval] = [(lo, hi)]
    for zone_name in zones:
        mine = [iv for offset in (-1, 0, 1) for iv in zone_day(spec, zone_name, day + timedelta(days=offset))]
        common = _intersect(common, sorted(mine))
        if not common:
            break
    return tuple(common)


def is_open(spec: WindowSpec, zones: tuple[str, ...], instant: datetime) -> bool:
    return any(start <= instant < end for start, end in utc_day(spec, zones, instant.astimezone(UTC).date()))


def earliest_open(
    spec: WindowSpec, zones: tuple[str, ...], instant: datetime, horizon_days: int = 400
) -> datetime | None:
    """The first instant at or after `instant` inside the window, or None within the horizon."""
    instant = instant.astimezone(UTC)
    day = instant.date()
    for offset in range(horizon_days):
        for start, end in utc_day(spec, zones, day + timedelta(days=offset)):
            if end > instant:
                return max(start, instant)
    return None
