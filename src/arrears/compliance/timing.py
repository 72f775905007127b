"""The window that applies to one contact, and why a given instant falls outside it.

Builds the `WindowSpec` (hours, blocked weekdays, holiday calendars of the customer's country and state,
the customer's designated inconvenient times) once per distinct combination, so the hot path reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from arrears.compliance.checks import reason
from arrears.compliance.model import Address, ContactChannel, InconvenientTime, Reason
from arrears.compliance.policy import ContactRules, Policy
from arrears.compliance.schema import HolidayRule
from arrears.compliance.windows import Designated, Interval, WindowSpec, holiday_dates, utc_day
from arrears.compliance.zones import normalise_country, zone

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, eq=False)
class WindowContext:
    """One contact kind's window for one customer, with its own per-day interval cache."""

    spec: WindowSpec
    zones: tuple[str, ...]
    holiday_rules: tuple[tuple[HolidayRule, str, str | None], ...] = ()
    days: dict[date, tuple[Interval, ...]] = field(default_factory=dict)

    def is_open(self, instant: datetime) -> bool:
        """Whether a UTC instant is inside the window (intervals cached per UTC day)."""
        day = instant.date()
        found = self.days.get(day)
        if found is None:
            if len(self.days) > 1024:
                self.days.clear()
            found = self.days[day] = utc_day(self.spec, self.zones, day)
        for start, end in found:  # noqa: SIM110 - a plain loop is faster than any() here
            if start <= instant < end:
                return True
        return False

    def earliest(self, instant: datetime, horizon_days: int) -> datetime | None:
        """The first UTC instant at or after `instant` inside the window (None within the horizon).

        The same answer as `windows.earliest_open`, read through this context's own per-day cache: a
        date-keyed dict is cheaper than hashing the whole spec and zone tuple on every day looked at.
        """
        if instant.tzinfo is not UTC:
            instant = instant.astimezone(UTC)
        day = instant.date()
        days = self.days
        for _ in range(horizon_days):
            found = days.get(day)
            if found is None:
                if len(days) > 1024:
                    days.clear()
                found = days[day] = utc_day(self.spec, self.zones, day)
            for start, end in found:
                if end > instant:
                    return start if start > instant else instant
            day += _ONE_DAY
        return None

    @staticmethod
    def build(
        rules: ContactRules,
        address: Address,
        channel: ContactChannel,
        times: tuple[InconvenientTime, ...],
        zones: tuple[str, ...],
    ) -> WindowContext:
        mine = tuple(t for t in times if t.channel is None or t.channel == channel) if times else ()
        state = (address.state or "").upper() or None
        return _build(rules, normalise_country(address.country), state, mine, zones)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _build(
    rules: ContactRules,
    country: str | None,
    state: str | None,
    times: tuple[InconvenientTime, ...],
    zones: tuple[str, ...],
) -> WindowContext:
    named: list[tuple[HolidayRule, str, str | None]] = []
    for rule in rules.holidays:
        code = rule.country or country
        if code:
            region = (state or rule.default_subdivision) if rule.subdivision and code == country else None
            named.append((rule, code, region))
    calendars = [(code, sub) for _, code, sub in named]
    designated = tuple(Designated(_seconds(t.start), _seconds(t.end), frozenset(t.weekdays)) for t in times)
    assert rules.window_open is not None
    spec = WindowSpec(
        open=rules.window_open,
        close=rules.window_close,
        blocked_weekdays=rules.blocked_weekdays,
        holiday_calendars=tuple(dict.fromkeys(calendars)),
        designated=designated,
    )
    return WindowContext(spec, zones, tuple(named))


def clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def window_reasons(
    ctx: WindowContext, rules: ContactRules, policy: Policy, zones: tuple[str, ...], now: datetime
) -> list[Reason]:
    """The hours, holiday and designated-time rules that exclude `now` in some candidate zone."""
    if ctx.is_open(now):
        return []
    out: list[Reason] = []
    for name in zones:
        tz = zone(name)
        assert tz is not None
        local = now.astimezone(tz)
        secs = local.hour * 3600 + local.minute * 60 + local.second
        where = f"{local:%a %H:%M} in {name}"
        for w in rules.windows:
            if not w.open <= secs < w.close or local.weekday() in w.blocked_weekdays:
                out.append(reason(w, f"{where} is outside {clock(w.open)}-{clock(w.close)}"))
        for rule, country, subdivision in ctx.holiday_rules:
            if local.date() in holiday_dates(country, subdivision, local.year):
                out.append(reason(rule, f"{local:%Y-%m-%d} is a public holiday in {country}"))
        for d in ctx.spec.designated:
            inside = d.start <= secs < d.end if d.start < d.end else (secs >= d.start or secs < d.end)
            if inside and (not d.weekdays or local.weekday() in d.weekdays or d.start >= d.end):
                message = f"{where} is a time the customer called inconvenient"
                out.append(reason(policy.inconvenient_time, message))
    if not out:
        first = rules.windows[0] if rules.windows else policy.unknown_zone
        out.append(reason(first, "outside the overlap of the candidate zones' windows"))
    return out
