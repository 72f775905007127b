"""An independent check of exported attempts against the hard rules, for the end-to-end run.

It shares no code with the gate: it reads the attempts export and the stored facts with plain queries,
re-derives every customer's candidate zones (the address zones the test declares from geography, each
phone number's zones from phonenumbers, the recorded zone) and applies the rules as RULES.md states
them, with its own constants. A sent attempt that breaks any of them is a violation. It checks a third-
party collector (Regulation F on top of the TCPA), the strictest kind the shipped profiles know.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from phonenumbers import timezone as phone_timezone
from sqlalchemy import Connection, text

TIMED = {"voice", "sms", "whatsapp", "email"}
EEA = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
       "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"}  # fmt: skip


@dataclass(frozen=True)
class Hours:
    open: time
    close: time
    no_sundays: bool = False
    holiday_country: str | None = None  # public holidays of this country (and the customer's region)


def hours_for(country: str) -> Hours | None:
    """The window each jurisdiction's rule sets (RULES.md; UK and EU house defaults as documented)."""
    if country == "US":
        return Hours(time(8), time(21))  # Reg F 1006.6(b)(1)(i); WA's 07:30 is looser
    if country == "GB":
        return Hours(time(8), time(20), no_sundays=True, holiday_country="GB")
    if country == "IN":
        return Hours(time(8), time(19))
    if country in EEA:
        return Hours(time(8), time(20), no_sundays=True, holiday_country=country)
    return None  # no rules known: any contact is a violation


@dataclass
class Customer:
    id: str
    country: str
    state: str | None
    recorded_zone: str | None
    address_zones: tuple[str, ...]
    phones: list[str] = field(default_factory=list)
    consents: list[tuple[str, str, datetime, datetime | None]] = field(default_factory=list)
    opt_outs: list[tuple[str | None, str | None, datetime]] = field(default_factory=list)
    holds: list[tuple[str | None, str, datetime, datetime | None, datetime | None]] = field(
        default_factory=list
    )
    times: list[tuple[time, time, tuple[int, ...], str | None, datetime, datetime | None]] = field(
        default_factory=list
    )
    places: list[tuple[str | None, str | None, datetime, datetime | None]] = field(default_factory=list)
    conversations: list[datetime] = field(default_factory=list)

    @property
    def zones(self) -> tuple[str, ...]:
        found = set(self.address_zones)
        for number in self.phones:
            found |= phone_zones(number)
        if self.recorded_zone:
            found.add(self.recorded_zone)
        return tuple(sorted(found))


@cache
def phone_zones(number: str) -> frozenset[str]:
    parsed = phonenumbers.parse(number, None)
    return frozenset(z for z in phone_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")


def norm(value: str | None) -> str:
    value = (value or "").strip()
    if value.startswith("+"):
        return "+" + "".join(ch for ch in value if ch.isdigit())
    return value.lower()


def aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def at(value: datetime | str) -> datetime:
    found = aware(value)
    assert found is not None
    return found


def active(start: datetime, end: datetime | None, instant: datetime) -> bool:
    return start <= instant and (end is None or end > instant)


def load_customers(conn: Connection, address_zones: Mapping[str, tuple[str, ...]]) -> dict[str, Customer]:
    """Facts straight from the tables; `address_zones` maps customer id to its address's true zones."""
    out: dict[str, Customer] = {}
    for cid, country, state, tz in conn.execute(text("SELECT id, country, state, time_zone FROM customers")):
        out[cid] = Customer(cid, country, state, tz, address_zones[cid])
    for cid, channel, value in conn.execute(text("SELECT customer_id, channel, value FROM contact_points")):
        if channel in ("phone", "whatsapp"):
            out[cid].phones.append(value)
    q = "SELECT customer_id, channel, destination, granted_at, revoked_at FROM consents"
    for cid, channel, dest, granted, revoked in conn.execute(text(q)):
        out[cid].consents.append((channel, norm(dest), at(granted), aware(revoked)))
    for cid, channel, dest, when in conn.execute(
        text("SELECT customer_id, channel, destination, at FROM opt_outs")
    ):
        out[cid].opt_outs.append((channel, norm(dest) if dest else None, at(when)))
    q = "SELECT customer_id, case_id, kind, created_at, until, released_at FROM holds"
    for cid, case_id, kind, created, until, released in conn.execute(text(q)):
        out[cid].holds.append((case_id, kind, at(created), aware(until), aware(released)))
    q = (
        'SELECT customer_id, kind, channel, start, "end", weekdays, destination, destination_kind, '
        "created_at, revoked_at FROM contact_preferences"
    )
    for cid, kind, channel, start, end, days, dest, dkind, created, revoked in conn.execute(text(q)):
        if kind == "time":
            weekdays = tuple(days if isinstance(days, list) else json.loads(days or "[]"))
            window = (time.fromisoformat(start), time.fromisoformat(end), weekdays, channel)
            out[cid].times.append((*window, at(created), aware(revoked)))
        else:
            out[cid].places.append((norm(dest) if dest else None, dkind, at(created), aware(revoked)))
    q = "SELECT customer_id, occurred_at FROM interactions WHERE conversation = :yes"
    for cid, when in conn.execute(text(q), {"yes": True}):
        out[cid].conversations.append(at(when))
    return out


def load_lists(conn: Connection) -> list[tuple[str, str | None, datetime]]:
    return [
        (norm(d), c, at(a))
        for d, c, a in conn.execute(text("SELECT destination, channel, added_at FROM do_not_contact"))
    ]


def _in_hours(c: Customer, hours: Hours, instant: datetime, zone: str) -> str | None:
    local = instant.astimezone(ZoneInfo(zone))
    if not hours.open <= local.time() < hours.close:
        return f"{local:%a %H:%M} in {zone} is outside {hours.open:%H:%M}-{hours.close:%H:%M}"
    if hours.no_sundays and local.weekday() == 6:
        return f"Sunday in {zone}"
    if hours.holiday_country and local.date() in _holidays(hours.holiday_country, c.state, local.year):
        return f"{local:%Y-%m-%d} is a public holiday in {hours.holiday_country}/{c.state or '-'}"
    return None


@cache
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    subdiv = (
        subdivision
        if country != "GB"
        else {"SCT": "SCT", "NIR": "NIR", "WLS": "WLS"}.get(subdivision or "", "ENG")
    )
    try:
        return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))
    except (NotImplementedError, KeyError, ValueError):
        return frozenset(holidays.country_holidays(country, years=year))


def _within(days: int, earlier: datetime, later: datetime, zones: Iterable[str]) -> bool:
    """Whether both instants fall within `days` consecutive local calendar days in some zone."""
    return any(
        (later.astimezone(ZoneInfo(z)).date() - earlier.astimezone(ZoneInfo(z)).date()).days < days
        for z in zones
    )


@dataclass(frozen=True)
class Cap:
    name: str
    max_contacts: int
    days: int
    channels: frozenset[str] | None  # None: every channel
    kinds: frozenset[str] | None  # counted destination kinds (None: all)


def caps_for(c: Customer) -> list[Cap]:
    caps: list[Cap] = []
    if c.country == "US":
        caps.append(Cap("Reg F 7 calls in 7 days", 7, 7, frozenset({"voice"}), None))
    if c.country == "US" and c.state == "MA":
        calls = frozenset({"voice", "sms", "whatsapp"})
        caps.append(Cap("MA 2 per 7 days", 2, 7, calls, frozenset({"mobile", "landline", "unknown"})))
        caps.append(Cap("MA 2 per 30 days", 2, 30, calls, frozenset({"work_phone", "unknown"})))
    if c.country == "US" and c.state == "WA":
        caps.append(Cap("WA 3 a week", 3, 7, None, None))
        caps.append(Cap("WA 1 a week at work", 1, 7, None, frozenset({"work_phone", "work_email"})))
    if c.country == "IN":
        caps.append(Cap("IN 3 calls a day", 3, 1, frozenset({"voice"}), None))
    return caps


#: Answers to the customer's own words, and the holds during which an answer (never collection) may go.
RESPONSES = ("reply", "opt_out_confirmation")
ANSWERABLE_HOLDS = ("dispute", "hardship", "vulnerable", "complaint", "review")


def check(
    attempts: Sequence[Mapping[str, object]],
    customers: Mapping[str, Customer],
    lists: Sequence[tuple[str, str | None, datetime]],
) -> list[str]:
    """Every violation found among the sent attempts, one line each (empty: none)."""
    sent = [a for a in attempts if a["status"] == "sent"]
    by_customer: dict[str, list[Mapping[str, object]]] = defaultdict(list)
    for a in sorted(sent, key=lambda a: str(a["attempted_at_utc"])):
        by_customer[str(a["customer_id"])].append(a)
    problems: list[str] = []
    for cid, mine in by_customer.items():
        c = customers[cid]
        for i, a in enumerate(mine):
            why = _violations(a, mine[:i], c, lists)
            problems += [f"{a['attempt_id']} {a['channel']} {a['attempted_at_utc']} {cid}: {w}" for w in why]
    return problems


def _violations(
    a: Mapping[str, object],
    before: Sequence[Mapping[str, object]],
    c: Customer,
    lists: Sequence[tuple[str, str | None, datetime]],
) -> list[str]:
    out: list[str] = []
    now = at(str(a["attempted_at_utc"]))
    channel, kind, dest = (
        str(a["channel"]),
        str(a["destination_kind"] or "unknown"),
        norm(str(a["destination"])),
    )
    zones = c.zones
    hours = hours_for(c.country)
    if hours is None:
        return [f"no rules known for {c.country}: no contact allowed"]
    if channel in TIMED:
        if not zones:
            out.append("no time zone known")
        out += [w for z in zones if (w := _in_hours(c, hours, now, z))]
        for start, end, days, chan, created, revoked in c.times:
            if chan not in (None, channel) or not active(created, revoked, now):
                continue
            for z in zones:
                local = now.astimezone(ZoneInfo(z))
                t, day = local.time(), local.weekday()
                inside = start <= t < end if start < end else (t >= start or t < end)
                if inside and (not days or day in days or start >= end):
                    out.append(f"{local:%H:%M} in {z} is a time the customer called inconvenient")
    purpose = str(a.get("purpose") or "collection")
    for o_channel, o_dest, when in c.opt_outs:
        if when <= now and o_channel in (None, channel) and o_dest in (None, dest):
            first_since = not any(
                at(str(x["attempted_at_utc"])) >= when and x["channel"] == channel for x in before
            )
            if not (purpose == "opt_out_confirmation" and first_since):  # TCPA: one confirmation
                out.append(f"opted out at {when.isoformat()}")
    for case_id, hold_kind, created, until, released in c.holds:
        ends = min((t for t in (until, released) if t is not None), default=None)
        answerable = purpose == "reply" and hold_kind in ANSWERABLE_HOLDS
        if case_id in (None, a["case_id"]) and active(created, ends, now) and not answerable:
            out.append("a hold was active")
    for d, chan, added in lists:
        if d == dest and chan in (None, channel) and added <= now:
            out.append("destination on a do-not-contact list")
    for p_dest, p_kind, created, revoked in c.places:
        if active(created, revoked, now) and (p_dest == dest or p_kind == kind):
            out.append("a place the customer ruled out")
    if c.country == "US":
        out += _us_rules(c, channel, kind, dest, now, zones, purpose)
    if purpose in RESPONSES:
        return out  # not creditor-initiated: caps do not hold an answer back (it still counts for later ones)
    for cap in caps_for(c):
        out += _cap(cap, a, before, channel, kind, now, zones)
    return out


def _us_rules(
    c: Customer, channel: str, kind: str, dest: str, now: datetime, zones: Sequence[str], purpose: str
) -> list[str]:
    out = []
    # AI voice and texts; an answer to the customer's own text is an on-demand text (FCC 15-72).
    needs_consent = channel in ("sms", "whatsapp", "voice") and kind in ("mobile", "unknown")
    needs_consent = needs_consent and purpose not in RESPONSES
    if needs_consent or (channel == "email" and kind == "work_email"):
        ok = any(ch == channel and d == dest and active(g, r, now) for ch, d, g, r in c.consents)
        if not ok:
            out.append("no consent on the destination (TCPA / Reg F work e-mail)")
    if channel == "voice":
        for talk in c.conversations:
            if talk < now and _within(7, talk, now, zones):
                out.append(f"call within 7 days of the conversation at {talk.isoformat()}")
    return out


def _cap(
    cap: Cap,
    a: Mapping[str, object],
    before: Sequence[Mapping[str, object]],
    channel: str,
    kind: str,
    now: datetime,
    zones: Sequence[str],
) -> list[str]:
    def counted(x: Mapping[str, object]) -> bool:
        x_kind = str(x["destination_kind"] or "unknown")
        return (cap.channels is None or x["channel"] in cap.channels) and (
            cap.kinds is None or x_kind in cap.kinds
        )

    if not counted(a):
        return []
    earlier = [at(str(x["attempted_at_utc"])) for x in before if counted(x)]
    for z in zones:  # the cap counts local calendar days; it binds if it is exceeded in any candidate zone
        recent = sum(1 for t in earlier if _within(cap.days, t, now, (z,)))
        if recent + 1 > cap.max_contacts:
            return [f"{cap.name}: {recent + 1} contacts within {cap.days} local days in {z}"]
    return []
