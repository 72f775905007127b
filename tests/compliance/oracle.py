"""An independent, deliberately naive re-statement of the hard rules, for the property tests.

It reads no profile and shares no code with the gate: wall-clock checks in every candidate zone and
counting by local calendar day, written straight from RULES.md. If the gate and this disagree, one of
them misreads the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from arrears.compliance.model import (
    CallerKind,
    ContactChannel,
    DestinationKind,
    GateRequest,
    PriorContact,
)

TIMED = {ContactChannel.VOICE, ContactChannel.SMS, ContactChannel.WHATSAPP, ContactChannel.EMAIL}
PERSONAL = {DestinationKind.MOBILE, DestinationKind.LANDLINE, DestinationKind.UNKNOWN}
OTHER = {DestinationKind.WORK_PHONE, DestinationKind.UNKNOWN}
PHONES = {ContactChannel.VOICE, ContactChannel.SMS, ContactChannel.WHATSAPP}


@dataclass(frozen=True)
class Jurisdiction:
    country: str
    state: str | None
    kind: str
    nyc: bool = False
    strict_tenant: bool = False  # tenant overrides: 09:00-20:00 and US public holidays


def _norm(dest: str) -> str:
    return dest.lower() if "@" in dest else "+" + "".join(c for c in dest if c.isdigit())


def _window(j: Jurisdiction) -> tuple[time, time, set[int]]:
    if j.country == "GB":
        return time(8), time(20), {6}
    if j.country == "IN":
        return time(8), time(19), set()
    if j.strict_tenant:
        return time(9), time(20), set()
    return time(8), time(21), set()


def _holiday(j: Jurisdiction, day: date) -> bool:
    if j.country == "GB":
        return day in holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    if j.country == "US" and j.strict_tenant:
        return day in holidays.country_holidays("US", subdiv=j.state, years=day.year)
    return False


def _count_days(stamps: list[datetime], t: datetime, days: int, zones: tuple[str, ...]) -> int:
    worst = 0
    for name in zones:
        tz = ZoneInfo(name)
        today = t.astimezone(tz).date()
        first = today - timedelta(days=days - 1)
        worst = max(worst, sum(1 for s in stamps if first <= s.astimezone(tz).date() <= today))
    return worst


def _attempts(history: tuple[PriorContact, ...], debt: str | None) -> list[PriorContact]:
    return [
        c
        for c in history
        if not c.consumer_initiated and not c.failed_to_connect and (debt is None or c.debt_id == debt)
    ]


def ok_at(req: GateRequest, j: Jurisdiction, zones: tuple[str, ...], t: datetime) -> bool:
    """Whether every hard rule permits this contact at instant t (collection purpose)."""
    p = req.proposal
    dest = _norm(p.destination)
    for o in req.opt_outs:
        if o.channel in (None, p.channel) and (o.destination is None or _norm(o.destination) == dest):
            return False
    for h in req.holds:
        if (
            h.debt_id in (None, p.debt_id)
            and h.channel in (None, p.channel)
            and (h.until is None or h.until > t)
        ):
            return False
    consented = any(
        c.channel == p.channel
        and _norm(c.destination) == dest
        and c.granted_at <= t
        and (c.revoked_at is None or c.revoked_at > t)
        for c in req.consents
    )
    reg_f = j.country == "US" and (j.kind == "third_party" or j.state == "CA" or j.nyc)
    if j.country == "US" and p.destination_kind in (DestinationKind.MOBILE, DestinationKind.UNKNOWN):
        robo = p.channel is ContactChannel.VOICE and p.caller_kind in (
            CallerKind.AI_VOICE,
            CallerKind.PRERECORDED,
        )
        if (robo or p.channel in (ContactChannel.SMS, ContactChannel.WHATSAPP)) and not consented:
            return False
    if reg_f and p.destination_kind is DestinationKind.WORK_EMAIL and p.channel is ContactChannel.EMAIL:  # noqa: SIM102
        if not consented:
            return False
    if p.channel in TIMED:
        if not zones:
            return False
        opens, closes, blocked = _window(j)
        for name in zones:
            local = t.astimezone(ZoneInfo(name))
            if not opens <= local.time() < closes or local.weekday() in blocked or _holiday(j, local.date()):
                return False
            for d in req.inconvenient_times:
                if d.channel not in (None, p.channel):
                    continue
                inside = (
                    d.start <= local.time() < d.end
                    if d.start < d.end
                    else not d.end <= local.time() < d.start
                )
                if inside:
                    return False
    counting = zones or ("Etc/GMT+12", "Etc/GMT-14")
    if reg_f and p.channel is ContactChannel.VOICE:
        voice = [c.at for c in _attempts(req.history, p.debt_id) if c.channel is ContactChannel.VOICE]
        if _count_days(voice, t, 7, counting) >= 7:
            return False
        talks = [c.at for c in req.history if c.conversation and c.debt_id == p.debt_id]
        if _count_days(talks, t, 7, counting) >= 1:
            return False
    if j.country == "US" and j.state == "MA" and p.channel in PHONES:
        mine = [c for c in _attempts(req.history, p.debt_id) if c.channel in PHONES]
        if p.destination_kind in PERSONAL:  # noqa: SIM102
            if _count_days([c.at for c in mine if c.destination_kind in PERSONAL], t, 7, counting) >= 2:
                return False
        if p.destination_kind in OTHER:  # noqa: SIM102
            if _count_days([c.at for c in mine if c.destination_kind in OTHER], t, 30, counting) >= 2:
                return False
    if j.country == "US" and j.state == "WA" and j.kind == "third_party":
        everything = _attempts(req.history, None)
        if _count_days([c.at for c in everything], t, 7, counting) >= 3:
            return False
        work = {DestinationKind.WORK_PHONE, DestinationKind.WORK_EMAIL}
        if p.destination_kind in work:  # noqa: SIM102
            if _count_days([c.at for c in everything if c.destination_kind in work], t, 7, counting) >= 1:
                return False
    if j.country == "IN" and p.channel is ContactChannel.VOICE:
        voice = [c.at for c in _attempts(req.history, None) if c.channel is ContactChannel.VOICE]
        if _count_days(voice, t, 1, counting) >= 3:
            return False
    return True
